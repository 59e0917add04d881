using System.CommandLine;

namespace EventRouter.Cli.Commands;

/// <summary>How the command line reports a mistake in its own arguments: one line per error and a pointer to the help.</summary>
internal static class CliErrors
{
    public const string ProgramName = "eventrouter";

    public static void WriteParseErrors(ParseResult parse, TextWriter error)
    {
        var path = CommandPath(parse.CommandResult.Command);
        foreach (var e in parse.Errors) error.WriteLine($"{path}: {e.Message}");
        error.WriteLine($"Run '{path} --help' for its options.");
    }

    /// <summary><c>eventrouter poison list</c>: the command's names from the root.</summary>
    public static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault()) names.Add(c.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
