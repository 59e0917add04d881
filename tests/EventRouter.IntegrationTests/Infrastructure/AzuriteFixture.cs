using EventRouter.Cli.Sandbox;

namespace EventRouter.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite for the test assembly, started from the repo's npm dependency on free ports, with a
/// temporary data folder. (In-memory mode was tried: reading 20,000 messages back was far slower.)
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    internal AzuriteProcess Azurite { get; private set; } = null!;
    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => Azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
