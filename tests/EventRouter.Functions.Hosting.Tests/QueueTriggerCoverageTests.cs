using EventRouter.Functions.Hosting;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Functions.Hosting.Tests;

public sealed class QueueTriggerCoverageTests
{
    [Fact]
    public void DefaultQueues_AreEveryDestinationOfTheDefaultRouting()
    {
        var routes = new RouteTable(new RoutingOptions());

        Assert.Equal(37, QueueTriggerCoverage.DefaultQueues.Count);
        Assert.Equal(routes.DestinationQueues.Order(StringComparer.Ordinal), QueueTriggerCoverage.DefaultQueues.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(RoutingDefaults.PoisonQueue, QueueTriggerCoverage.DefaultQueues);
        Assert.Contains("events-account-group", QueueTriggerCoverage.DefaultQueues);
        Assert.Contains("events-intraday-account-valuation", QueueTriggerCoverage.DefaultQueues);
    }

    [Fact]
    public void FindUncovered_DefaultRouting_IsEmpty()
    {
        Assert.Empty(QueueTriggerCoverage.FindUncovered(new RouteTable(new RoutingOptions()), QueueTriggerCoverage.DefaultQueues));
    }

    [Fact]
    public void FindUncovered_OverrideAndExtraCategory_ReportsTheirQueues()
    {
        var options = new RoutingOptions { AdditionalCategories = ["LOAN"] };
        options.Overrides["ORDER.FILLED"] = "orders-filled";

        var uncovered = QueueTriggerCoverage.FindUncovered(new RouteTable(options), QueueTriggerCoverage.DefaultQueues);

        Assert.Equal(["events-loan", "orders-filled"], uncovered);
    }

    [Fact]
    public async Task AddQueueTriggerCoverageCheck_OnStart_WarnsPerUncoveredQueue()
    {
        var logs = new ListLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddSingleton(new RouteTable(new RoutingOptions { CategoryQueuePrefix = "ev-" }))
            .AddQueueTriggerCoverageCheck(QueueTriggerCoverage.DefaultQueues);
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(35, warnings.Count);
        Assert.Contains(warnings, m => m.Contains("ev-user-check", StringComparison.Ordinal));
    }

    internal sealed class ListLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public ILogger CreateLogger(string categoryName) => new ListLogger(this);
        public void Dispose() { }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries) owner.Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
