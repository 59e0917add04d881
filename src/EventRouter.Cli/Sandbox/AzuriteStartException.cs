namespace EventRouter.Cli.Sandbox;

/// <summary>Azurite could not be started; the message says why, in the emulator's own words where it gave any.</summary>
internal sealed class AzuriteStartException(string message) : Exception(message);
