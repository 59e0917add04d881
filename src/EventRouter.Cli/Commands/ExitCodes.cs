namespace EventRouter.Cli.Commands;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int InvalidConfiguration = 2;
    public const int Cancelled = 130;
}
