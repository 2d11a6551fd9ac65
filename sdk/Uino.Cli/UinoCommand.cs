using System.CommandLine;
using System.CommandLine.Parsing;
using Uino.Cli.Commands;

namespace Uino.Cli;

/// <summary>The root of the <c>uino</c> command line.</summary>
public static class UinoCommand
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Uino: few-shot segmentation (UINO-FSS). One reference shot with a mask, then every frame.");
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(DatasetInfoCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(SegmentCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        var parse = root.Parse(args);
        // A bare `uino` shows the help; any other parse error (a missing required option, an unknown option, a
        // value that does not parse) is the command line's one-line error, not the whole help text.
        if (parse.Errors.Count > 0 && args.Length > 0) return ParseFailure(parse);
        return parse.Invoke();
    }

    /// <summary>
    /// One line on stderr: <c>uino segment: Option '--mask' is required. See `uino segment --help`.</c>, exit code 1.
    /// </summary>
    internal static int ParseFailure(ParseResult parse)
    {
        // The whole command path: `uino train fss`, not `uino fss`.
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is CommandResult c && c.Command is not RootCommand; r = r.Parent) names.Insert(0, c.Command.Name);
        string name = string.Join(' ', ["uino", .. names]);
        var messages = parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.')).Distinct();
        Console.Error.WriteLine($"{name}: {string.Join("; ", messages)}. See `{name} --help`.");
        return 1;
    }
}
