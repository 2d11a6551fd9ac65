using System.CommandLine;

namespace Uino.Cli.Commands;

internal static class DistillCommand
{
    public static Command Create() => new("distill", "Stage 1: distil the bottleneck adapter from SAM's image encoder.");
}
