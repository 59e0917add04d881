using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Operations;
using EventRouter.Delivery;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary><c>eventrouter poison list|show|redrive|purge</c>: thin commands over <see cref="PoisonService"/>.</summary>
internal static class PoisonCommand
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record Options(Option<string[]> Settings, Option<string?> Environment, Option<bool> Json, Option<string?> Queue,
        Option<string?> Reason, Option<string?> Type, Option<TimeSpan?> OlderThan, Option<int?> Limit)
    {
        public static Options Create() => new(CommonOptions.Settings(), CommonOptions.Environment(), CommonOptions.Json(),
            new Option<string?>("--queue") { Description = "The poison queue: events-poison (default, Kafka records) or <queue>-poison (queue stage); a sharded route's name (prices) for all its poison queues together." },
            new Option<string?>("--reason") { Description = "Only messages with this reason (invalid-json, missing-field, ..., raw-copy for a Functions runtime copy)." },
            new Option<string?>("--type") { Description = "Only events of this type (USER.CREATED) or category (USER.*), when the type is known." },
            new Option<TimeSpan?>("--older-than") { Description = "Only messages poisoned at least this long ago: 30m, 1h, 2d or hh:mm:ss.", CustomParser = r => ParseDuration(r) },
            new Option<int?>("--limit") { Description = "At most this many messages." });

        public void AddTo(Command command, bool filters = true)
        {
            command.Add(Settings); command.Add(Environment); command.Add(Json); command.Add(Queue);
            if (!filters) return;
            command.Add(Reason); command.Add(Type); command.Add(OlderThan); command.Add(Limit);
        }

        public PoisonFilter Filter(ParseResult parse) => new(parse.GetValue(Reason), parse.GetValue(Type), parse.GetValue(OlderThan), parse.GetValue(Limit));
    }

    /// <param name="console">stdout: tables.</param>
    /// <param name="progressConsole">A console on stderr when stderr is a terminal (the redrive progress bar), else null.</param>
    public static Command Create(Func<IAnsiConsole> console, Func<IAnsiConsole?>? progressConsole = null)
    {
        var poison = new Command("poison", "Inspect, re-drive and purge poison messages (events-poison and <queue>-poison).");
        poison.Add(List(console));
        poison.Add(Show(console));
        poison.Add(Redrive(console, progressConsole ?? (() => null)));
        poison.Add(Purge(console));
        return poison;
    }

    private static Command List(Func<IAnsiConsole> console)
    {
        var o = Options.Create();
        var command = new Command("list", "List poison messages without consuming them: reason, source, event id and type, age.");
        o.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, o, ct, async (service, target) =>
        {
            var entries = await service.ListAsync(target, o.Filter(parse), ct);
            var now = DateTimeOffset.UtcNow;
            if (parse.GetValue(o.Json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(entries.Select(e => Summary(e, now)), JsonOptions));
                return ExitCodes.Ok;
            }
            var table = new Table().Title(target.IsRoute
                    ? $"{Markup.Escape(target.Name)} ({target.Queues.Count} poison queues): {entries.Count} message(s)"
                    : $"{Markup.Escape(target.Name)}: {entries.Count} message(s)")
                .AddColumn(TableOutput.Id("Id"));
            // A route's rows name the shard queue each came from (a re-drive puts it back there).
            if (target.IsRoute) table.AddColumn("Queue");
            table.AddColumn("Reason").AddColumn("Source").AddColumn(TableOutput.Id("Event id")).AddColumn("Type").AddColumn(new TableColumn("Age").RightAligned());
            foreach (var e in entries)
            {
                string[] cells = [Markup.Escape(e.MessageId), .. target.IsRoute ? [Markup.Escape(e.PoisonQueue)] : Array.Empty<string>(),
                    Markup.Escape(e.Reason), Markup.Escape(e.SourceText), Markup.Escape(e.EventId ?? "-"), Markup.Escape(e.EventType ?? "-"), FormatAge(e.Age(now))];
                table.AddRow(cells);
            }
            if (target.IsRoute)
            {
                table.AddRow([.. new[] { "[bold]Total[/]", $"[bold]{entries.Count} message(s)[/]" }.Concat(Enumerable.Repeat("", 5))]);
                table.Caption(Markup.Escape(string.Join(", ", target.Queues.Select(q => $"{q}: {entries.Count(e => e.PoisonQueue == q)}"))));
            }
            TableOutput.Write(console(), table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(Func<IAnsiConsole> console)
    {
        var o = Options.Create();
        var id = new Argument<string>("id") { Description = "The message id (from poison list)." };
        var command = new Command("show", "Show one poison message in full, with the original value decoded when it is UTF-8 text.") { id };
        o.AddTo(command, filters: false);
        command.SetAction((parse, ct) => RunAsync(parse, o, ct, async (service, target) =>
        {
            var detail = await service.ShowAsync(target, parse.GetValue(id)!, ct);
            if (detail is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"eventrouter poison show: no message {parse.GetValue(id)} in {string.Join(", ", target.Queues)}.");
                return ExitCodes.Failed;
            }
            var queue = detail.Entry.PoisonQueue;
            var json = new JsonObject
            {
                ["id"] = detail.Entry.MessageId,
                ["queue"] = queue,
                ["summary"] = JsonSerializer.SerializeToNode(Summary(detail.Entry, DateTimeOffset.UtcNow), JsonOptions),
                ["message"] = detail.Message?.DeepClone(),
                ["headers"] = detail.Headers?.DeepClone(),
                ["keyText"] = detail.KeyText,
                ["valueText"] = detail.ValueText,
                ["valueBase64"] = detail.ValueText is null ? detail.ValueBase64 : null,
            };
            if (parse.GetValue(o.Json))
            {
                parse.InvocationConfiguration.Output.WriteLine(json.ToJsonString(JsonOptions));
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            var e = detail.Entry;
            void Row(string name, string? value) => grid.AddRow($"[bold]{name}[/]", Markup.Escape(value ?? "-"));
            Row("Id", e.MessageId); Row("Queue", queue); Row("Reason", e.Reason); Row("Error", e.Error); Row("Source", e.SourceText);
            Row("Event id", e.EventId); Row("Type", e.EventType); Row("Poisoned at", (e.PoisonedAt ?? e.InsertedOn)?.ToString("O"));
            Row("Key", detail.KeyText ?? detail.KeyBase64); Row("Headers", detail.Headers?.ToJsonString());
            console().Write(grid);
            console().Write(new Panel(Markup.Escape(PrettyValue(detail))).Header(detail.ValueText is null ? "value (Base64)" : "value"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Redrive(Func<IAnsiConsole> console, Func<IAnsiConsole?> progressConsole)
    {
        var o = Options.Create();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show where each message would go with the current routes (route, unrouted, still poison and why); change nothing." };
        var command = new Command("redrive",
            "Re-drive poison messages: Kafka records (events-poison) go through routing again (a record still invalid becomes a new poison " +
            "message before the old one is deleted); queue-stage poison goes back onto its origin queue.") { dryRun };
        o.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, o, ct, async (service, target) =>
        {
            var json = parse.GetValue(o.Json);
            var isDryRun = parse.GetValue(dryRun);
            RedriveReport report = null!;
            // Progress goes to stderr, and only as a bar when stderr is a terminal; otherwise one line per
            // batch for a large re-drive. stdout carries only the result (tables, or the --json document).
            if (progressConsole() is { } bar)
            {
                await bar.Progress().AutoClear(true).StartAsync(async context =>
                {
                    var task = context.AddTask(isDryRun ? "Checking" : "Re-driving", maxValue: 1);
                    var progress = new Progress<(int Done, int Total)>(p => { task.MaxValue = Math.Max(1, p.Total); task.Value = p.Done; });
                    report = await service.RedriveAsync(target, o.Filter(parse), isDryRun, progress, ct);
                    task.Value = task.MaxValue;
                });
            }
            else
            {
                var lines = new PeriodicProgress(parse.InvocationConfiguration.Error, isDryRun ? "checked" : "re-driven", service.RedriveBatchSize);
                report = await service.RedriveAsync(target, o.Filter(parse), isDryRun, lines, ct);
            }
            var now = DateTimeOffset.UtcNow;
            if (json)
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    dryRun = report.DryRun,
                    interrupted = report.Interrupted,
                    matched = report.Total,
                    madeVisibleAgain = report.Released,
                    redriven = report.Count(RedriveOutcome.Redriven),
                    stillPoisoned = report.Count(RedriveOutcome.StillPoisoned),
                    failed = report.Count(RedriveOutcome.Failed),
                    outcomes = Enum.GetValues<RedriveOutcome>().Where(v => report.Count(v) > 0).ToDictionary(v => v.ToString(), report.Count),
                    items = report.Items.Select(i => new { id = i.Entry.MessageId, outcome = i.Outcome.ToString(), target = i.Target, detail = i.Detail, message = Summary(i.Entry, now) }),
                }, JsonOptions));
            }
            else
            {
                var details = new Table().AddColumn(TableOutput.Id("Id")).AddColumn("Source").AddColumn("Type").AddColumn("Outcome").AddColumn("Queue").AddColumn("Detail");
                foreach (var i in report.Items)
                {
                    details.AddRow(Markup.Escape(i.Entry.MessageId), Markup.Escape(i.Entry.SourceText), Markup.Escape(i.Entry.EventType ?? "-"), OutcomeMarkup(i.Outcome),
                        Markup.Escape(i.Target ?? "-"), Markup.Escape(i.Detail ?? ""));
                }
                if (report.Items.Count <= 200) TableOutput.Write(console(), details);
                else console().MarkupLine($"[grey]{report.Items.Count:N0} messages: one line each with --json.[/]");
                // Where they went (or would go), grouped: outcome, queue, and for poison the reason.
                var summary = new Table().Title(report.DryRun ? "Dry run: nothing changed" : "Re-drive summary")
                    .AddColumn("Outcome").AddColumn("Queue").AddColumn("Reason").AddColumn(new TableColumn("Messages").RightAligned());
                foreach (var group in report.Items.GroupBy(i => (i.Outcome, i.Target, Reason: ReasonOf(i))).OrderBy(g => g.Key.Outcome).ThenByDescending(g => g.Count()))
                {
                    summary.AddRow(OutcomeMarkup(group.Key.Outcome), Markup.Escape(group.Key.Target ?? "-"), Markup.Escape(group.Key.Reason ?? ""), group.Count().ToString("N0"));
                }
                summary.AddRow("[bold]Total[/]", "", "", report.Items.Count.ToString("N0"));
                console().Write(summary);
                // Plain text, not through the console: one line however narrow the table width.
                if (report.Interrupted) parse.InvocationConfiguration.Output.WriteLine(InterruptedLine(report));
            }
            if (report.Interrupted) return ExitCodes.Cancelled;
            return report.Count(RedriveOutcome.Failed) > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The last line after Ctrl+C: exactly what was moved, and that the rest is visible again.</summary>
    internal static string InterruptedLine(RedriveReport report)
    {
        var left = report.Total - report.Items.Count;
        if (report.DryRun)
            return $"Interrupted: checked {report.Items.Count:N0} of {report.Total:N0} message(s); nothing changed, all visible again in {report.Queue}.";
        var redriven = report.Count(RedriveOutcome.Redriven);
        var still = report.Count(RedriveOutcome.StillPoisoned);
        var failed = report.Count(RedriveOutcome.Failed);
        return $"Interrupted: moved {redriven + still:N0} of {report.Total:N0} message(s) ({redriven:N0} re-driven, {still:N0} poisoned again" +
            (failed > 0 ? $", {failed:N0} failed and left in place" : "") + $"); the other {left:N0} are visible again in {report.Queue}.";
    }

    private static string OutcomeMarkup(RedriveOutcome outcome) => outcome switch
    {
        RedriveOutcome.Redriven => "[green]redriven[/]",
        RedriveOutcome.StillPoisoned => "[yellow]still poisoned[/]",
        RedriveOutcome.Failed => "[red]failed[/]",
        RedriveOutcome.WouldRoute => "would route",
        RedriveOutcome.WouldBeUnrouted => "would be unrouted",
        _ => "[yellow]would stay poisoned[/]",
    };

    /// <summary>The poison reason code of a (would-be) still-poisoned item, for grouping; the details stay per message.</summary>
    private static string? ReasonOf(RedriveItem item) => item.Outcome is RedriveOutcome.StillPoisoned or RedriveOutcome.WouldStayPoisoned
        ? item.Detail?.Split(':', 2)[0]
        : null;

    /// <summary>Progress without a terminal: one line on stderr per <c>step</c> messages, only for a re-drive bigger than one step.</summary>
    private sealed class PeriodicProgress(TextWriter error, string verb, int step) : IProgress<(int Done, int Total)>
    {
        private int _lastStep;

        public void Report((int Done, int Total) value)
        {
            if (value.Total <= step || value.Done == 0) return;
            var current = value.Done == value.Total ? int.MaxValue : value.Done / step;
            if (current == _lastStep) return;
            _lastStep = current;
            error.WriteLine($"eventrouter poison redrive: {value.Done:N0}/{value.Total:N0} {verb}");
        }
    }

    private static Command Purge(Func<IAnsiConsole> console)
    {
        var o = Options.Create();
        var yes = new Option<bool>("--yes") { Description = "Really delete the matching messages (required)." };
        var command = new Command("purge", "Delete the matching poison messages (only those). Needs --yes.") { yes };
        o.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            if (!parse.GetValue(yes))
            {
                parse.InvocationConfiguration.Error.WriteLine("eventrouter poison purge: deletes messages for good; add --yes to confirm (try `poison list` with the same filters first).");
                return Task.FromResult(ExitCodes.InvalidConfiguration);
            }
            return RunAsync(parse, o, ct, async (service, target) =>
            {
                var perQueue = await service.PurgeAsync(target, o.Filter(parse), ct);
                var deleted = perQueue.Sum(q => q.Deleted);
                if (parse.GetValue(o.Json))
                {
                    parse.InvocationConfiguration.Output.WriteLine(target.IsRoute
                        ? JsonSerializer.Serialize(new { queue = target.Name, deleted, queues = perQueue.Select(q => new { queue = q.Queue, deleted = q.Deleted }) }, JsonOptions)
                        : JsonSerializer.Serialize(new { queue = target.Name, deleted }, JsonOptions));
                }
                else
                {
                    console().MarkupLine($"Deleted [bold]{deleted}[/] message(s) from {Markup.Escape(target.IsRoute ? string.Join(", ", perQueue.Select(q => $"{q.Queue} ({q.Deleted})")) : target.Name)}.");
                }
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Options o, CancellationToken ct, Func<PoisonService, PoisonTarget, Task<int>> action)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Process, o.Settings, o.Environment)).Build();
            var service = CreateService(host.Services);
            var queue = parse.GetValue(o.Queue) ?? service.DefaultQueue;
            var target = PoisonTarget.Of(host.Services.GetRequiredService<RouteTable>(), queue);
            // A sharded route's name stands for its poison queues, any of which may not exist yet (nothing poisoned there).
            if (target.IsRoute) return await action(service, target);
            if (service.ValidateQueue(queue) is { } problem)
            {
                await error.WriteLineAsync($"eventrouter poison: {problem}");
                return ExitCodes.InvalidConfiguration;
            }
            // A queue named on purpose that does not exist is a typo, not an empty queue. (The default
            // one may not exist yet: nothing has been poisoned.)
            if (parse.GetResult(o.Queue) is not null && await service.PoisonQueuesIfMissingAsync(queue, ct) is { } existing)
            {
                var closest = EventRouter.Configuration.UnknownSettings.Closest(queue, existing);
                await error.WriteLineAsync($"eventrouter poison: queue {queue} does not exist" +
                    (closest is not null ? $"; did you mean {closest}?" : ".") +
                    (existing.Count > 0 ? $" Poison queues: {string.Join(", ", existing)}." : " There are no poison queues yet."));
                return ExitCodes.InvalidConfiguration;
            }
            return await action(service, target);
        }
        catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
        {
            return ExitCodes.InvalidConfiguration;
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C while reading the queue: nothing was changed, and what was hidden is visible again.
            await error.WriteLineAsync("eventrouter poison: interrupted; nothing changed, every message read is visible again.");
            return ExitCodes.Cancelled;
        }
    }

    internal static PoisonService CreateService(IServiceProvider services) => new(
        services.GetRequiredService<StorageAccounts>(), services.GetRequiredService<BlobServiceClient>(),
        services.GetRequiredService<RoutingPipeline>(), services.GetRequiredService<IOptions<RoutingOptions>>().Value,
        services.GetRequiredService<TimeProvider>());

    internal static object Summary(PoisonEntry e, DateTimeOffset now) => new
    {
        id = e.MessageId, queue = e.PoisonQueue, kind = e.Kind.ToString(), reason = e.Reason, error = e.Error,
        topic = e.Topic, partition = e.Partition, offset = e.Offset, originQueue = e.OriginQueue, originMessageId = e.OriginMessageId,
        eventId = e.EventId, eventType = e.EventType, poisonedAt = e.PoisonedAt ?? e.InsertedOn, ageSeconds = (long)e.Age(now).TotalSeconds,
    };

    private static string PrettyValue(PoisonDetail detail)
    {
        if (detail.ValueText is null) return detail.ValueBase64 ?? "(null)";
        try { return JsonNode.Parse(detail.ValueText)?.ToJsonString(JsonOptions) ?? detail.ValueText; }
        catch (JsonException) { return detail.ValueText; }
    }

    internal static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{(int)age.TotalDays}d {age.Hours}h" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h {age.Minutes}m"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m {age.Seconds}s" : $"{Math.Max(0, (int)age.TotalSeconds)}s";

    /// <summary>30s, 15m, 1h, 2d, or a TimeSpan (hh:mm:ss).</summary>
    internal static TimeSpan? ParseDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text, out var value)) return value;
        result.AddError($"'{text}' is not a duration: use 30s, 15m, 1h, 2d or hh:mm:ss.");
        return null;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length >= 2 && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => null,
            };
            if (parsed is { } p) { value = p; return true; }
        }
        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
