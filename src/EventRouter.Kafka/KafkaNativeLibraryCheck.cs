using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Kafka;

/// <summary>
/// Loads librdkafka when the host starts, before any consumer thread does, so that a missing or too
/// old library stops the start with <see cref="KafkaNativeLibraryException"/> (which names the file)
/// instead of crashing a consumer; logs which file and version run.
/// </summary>
internal sealed partial class KafkaNativeLibraryCheck(ILogger<KafkaNativeLibraryCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        KafkaNativeLibrary.EnsureLoaded();
        LibraryLoaded(logger, KafkaNativeLibrary.Version, KafkaNativeLibrary.LoadedPath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1000, LogLevel.Information, "librdkafka {LibrdkafkaVersion} loaded from {LibrdkafkaPath}", EventName = nameof(LibraryLoaded))]
    private static partial void LibraryLoaded(ILogger logger, string librdkafkaVersion, string librdkafkaPath);
}
