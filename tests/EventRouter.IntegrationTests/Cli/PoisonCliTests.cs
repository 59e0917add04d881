using System.Text.Json;
using System.Text.RegularExpressions;
using EventRouter.IntegrationTests.Infrastructure;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Cli;

/// <summary><c>eventrouter poison</c> through the real program: Ctrl+C in a re-drive, a mistyped queue.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonCliTests(AzuriteFixture azurite)
{
    private Dictionary<string, string> Environment(StorageScope scope) => new()
    {
        ["EventStorage"] = azurite.ConnectionString,
        ["Routing__CategoryQueuePrefix"] = scope.Prefix + "-events-",
        ["Routing__PricesQueue"] = scope.Prefix + "-prices",
        ["Routing__UnroutedQueue"] = scope.Prefix + "-events-unrouted",
        ["Routing__PoisonQueue"] = scope.Prefix + "-events-poison",
    };

    /// <summary>Poison messages whose value is a valid event now: a re-drive routes each to events-user.</summary>
    private static async Task FillAsync(StorageScope scope, int count)
    {
        var poison = scope.Queues.GetQueueClient(scope.Queue("events-poison"));
        await poison.CreateIfNotExistsAsync();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var message = JsonSerializer.Serialize(new
            {
                reason = "missing-field", error = "the event has no type",
                source = new { topic = "Notifications", partition = 0, offset = i, timestamp = "2026-12-03T06:00:00Z" },
                headers = new { }, key = (string?)null, value = Convert.ToBase64String(Event("USER.CREATED")),
                poisonedAt = "2026-12-03T06:00:00Z", routerVersion = "0.1.0",
            });
            await poison.SendMessageAsync(message, ct);
        });
    }

    private static async Task<int> CountVisibleAsync(StorageScope scope, string queue) => (await scope.DrainAsync(scope.Queue(queue))).Count;

    [Fact]
    public async Task Redrive_CtrlC_LastLineSaysExactlyWhatMoved_RestVisibleAgain_Exit130()
    {
        const int Count = 600;
        await using var scope = new StorageScope(azurite.ConnectionString);
        await FillAsync(scope, Count);
        using var program = CliProgram.Start(Environment(scope), "poison", "redrive");
        // Interrupted once the first batch of 100 is through, so some moved and some did not.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while (!program.Error.Contains("re-driven")) await Task.Delay(50, wait.Token);
        }
        await program.InterruptAsync();
        Assert.Equal(130, await program.WaitAsync(TimeSpan.FromSeconds(60)));

        var last = program.Output.TrimEnd().Split('\n')[^1];
        var match = Regex.Match(last, @"^Interrupted: moved ([\d,]+) of 600 message\(s\) \(([\d,]+) re-driven, 0 poisoned again\); the other ([\d,]+) are visible again in \S+-events-poison\.$");
        Assert.True(match.Success, last);
        var moved = int.Parse(match.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands);
        var left = int.Parse(match.Groups[3].Value, System.Globalization.NumberStyles.AllowThousands);
        Assert.Equal(Count, moved + left);
        Assert.InRange(moved, 100, Count - 1);
        // The figures are the queues' contents: every moved one routed once, every other one back in poison, now.
        Assert.Equal(moved, await CountVisibleAsync(scope, "events-user"));
        Assert.Equal(left, await CountVisibleAsync(scope, "events-poison"));
    }

    [Fact]
    public async Task RedriveDryRun_CtrlC_HidesNothing_Exit130()
    {
        const int Count = 600;
        await using var scope = new StorageScope(azurite.ConnectionString);
        await FillAsync(scope, Count);
        using var program = CliProgram.Start(Environment(scope), "poison", "redrive", "--dry-run");
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while (!program.Error.Contains("checked")) await Task.Delay(20, wait.Token);
        }
        await program.InterruptAsync();
        var code = await program.WaitAsync(TimeSpan.FromSeconds(60));
        // Ctrl+C may come after the last check: then the dry run simply ends.
        Assert.True(code is 130 or 0, $"exit code {code}");
        if (code == 130) Assert.Matches(@"Interrupted: checked [\d,]+ of 600 message\(s\); nothing changed, all visible again in \S+-events-poison\.\s*$", program.Output);
        Assert.Equal(Count, await CountVisibleAsync(scope, "events-poison"));
        Assert.Equal(0, await CountVisibleAsync(scope, "events-user"));
    }

    [Fact]
    public async Task Queue_ThatDoesNotExist_Exit2_NamesTheClosestPoisonQueue()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, "{oops"u8.ToArray())]);
        var (code, output, error) = await CliProgram.RunAsync(Environment(scope), ["poison", "list", "--queue", scope.Prefix + "-event-poison"]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains($"queue {scope.Prefix}-event-poison does not exist; did you mean {scope.Prefix}-events-poison?", error);
    }
}
