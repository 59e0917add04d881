using System.CommandLine;
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
var console = () => ansiConsole;
// Progress bars go to stderr, and only when stderr is a terminal: stdout stays the result alone.
IAnsiConsole? progressConsole = Console.IsErrorRedirected ? null : AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
    Out = new AnsiConsoleOutput(Console.Error),
});
var root = new RootCommand("EventRouter: Kafka events into Azure Storage queues, at-least-once, nothing lost.")
{
    RunCommand.Create(),
    DevCommand.Create(console),
    CheckCommand.Create(console),
    ConfigCommand.CreateConfig(),
    ConfigCommand.CreateRoutes(console),
    PoisonCommand.Create(console, () => progressConsole),
    ProduceCommand.Create(console),
    ReplayCommand.Create(console),
    StatsCommand.Create(console),
    MockKafkaCommand.Create(),
};

// The host handles SIGTERM/Ctrl+C itself (finish the batch in flight, commit, close the consumer);
// System.CommandLine's 2-second termination timeout would cut that short.
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (KafkaNativeLibraryException ex)
{
    // Every Kafka command loads librdkafka first; without a usable one, one line that names the file.
    Console.Error.WriteLine($"eventrouter: {ex.Message}");
    return ExitCodes.Failed;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // A bug: the whole exception, for the report.
    Console.Error.WriteLine($"eventrouter: unexpected error: {ex}");
    return ExitCodes.Failed;
}
