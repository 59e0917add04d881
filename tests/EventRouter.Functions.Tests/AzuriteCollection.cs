using EventRouter.Testing;

namespace EventRouter.Functions.Tests;

/// <summary>One <see cref="AzuriteFixture"/> for the assembly (the definition must live in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
