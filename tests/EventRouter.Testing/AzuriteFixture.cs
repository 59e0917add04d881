using EventRouter.Cli.Sandbox;

namespace EventRouter.Testing;

/// <summary>
/// One Azurite for the test assembly, started from the repo's npm dependency on free ports, with a
/// temporary data folder. (In-memory mode was tried: reading 20,000 messages back was far slower.)
/// Each test assembly declares its own <c>AzuriteCollection</c>: xunit finds collection
/// definitions only in the assembly whose tests use them.
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
