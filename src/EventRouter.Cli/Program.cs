using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using EventRouter.Cli.Commands;
using EventRouter.Kafka;
using Spectre.Console;

// eventrouter: the self-hosted EventRouter worker and its operator commands.
// Tables go to stdout; without a terminal there (CI, pipes, files) they are written without colour codes.
var ansiConsole = AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
    Interactive = Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
});
// Piped, a table is as wide as COLUMNS says (80 without it), not cut at 80 when the caller asked for more.
if (Console.IsOutputRedirected && TextFormat.RedirectedWidth(Environment.GetEnvironmentVariable("COLUMNS")) is { } width) ansiConsole.Profile.Width = width;
var console = () => ansiConsole;
// Progress bars go to stderr, and only when stderr is a terminal: stdout stays the result alone.
IAnsiConsole? progressConsole = Console.IsErrorRedirected ? null : AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
    Out = new AnsiConsoleOutput(Console.Error),
});
// The root is a plain command named eventrouter: a RootCommand takes its name from the entry
// assembly (EventRouter.Cli), which is not what users type.
var root = new Command(CliErrors.ProgramName, "EventRouter: Kafka events into Azure Storage queues, at-least-once, nothing lost.")
{
    new HelpOption(),
    new VersionOption(),
    RunCommand.Create(),
    DevCommand.Create(console),
    CheckCommand.Create(console),
    ConfigCommand.CreateConfig(console),
    ConfigCommand.CreateRoutes(console),
    PoisonCommand.Create(console, () => progressConsole),
    ProduceCommand.Create(console),
    ReplayCommand.Create(console),
    StatsCommand.Create(console),
    MockKafkaCommand.Create(),
};

var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
if (parse.Errors.Count > 0)
{
    // A short error and where to look, not the whole help text.
    CliErrors.WriteParseErrors(parse, Console.Error);
    return ExitCodes.InvalidConfiguration;
}

// Ctrl+C cancels the command's token: the worker stops as on SIGTERM (finish the batch in flight,
// commit), operator commands put back what they hold, and the exit code is 130. A second Ctrl+C
// ends the process at once. SIGTERM is left to the host (exit code 0, as a container expects).
using var cancellation = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    if (cancellation.IsCancellationRequested) return;
    context.Cancel = true;
    cancellation.Cancel();
});

// System.CommandLine's own termination handling is off (ProcessTerminationTimeout = null): its
// 2-second timeout would cut the host's shutdown short.
try
{
    // Each command decides its code after Ctrl+C: 130 when it stopped early, 0 when it had finished anyway.
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellation.Token);
}
catch (KafkaNativeLibraryException ex)
{
    // Every Kafka command loads librdkafka first; without a usable one, one line that names the file.
    Console.Error.WriteLine($"eventrouter: {ex.Message}");
    return ExitCodes.Failed;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("eventrouter: cancelled.");
    return ExitCodes.Cancelled;
}
catch (Exception ex) when (ConfigurationErrors.TryReport(ex, Console.Error))
{
    return ExitCodes.InvalidConfiguration;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // A bug: the whole exception, for the report.
    Console.Error.WriteLine($"eventrouter: unexpected error: {ex}");
    return ExitCodes.Failed;
}

// Internal: the ASP.NET Core shared framework (the health endpoints' Kestrel) would otherwise make it public.
internal partial class Program;
