namespace EventRouter.Cli.Hosting;

/// <summary>Which halves of the pipeline a host runs.</summary>
[Flags]
internal enum HostMode
{
    /// <summary>Kafka → routing → queues.</summary>
    Ingest = 1,
    /// <summary>Queues → handlers.</summary>
    Process = 2,
    All = Ingest | Process,
}
