using System.CommandLine;
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
        return root.Parse(args).Invoke();
    }
}
