using Spectre.Console;

namespace Uino.Cli.Commands;

/// <summary>How the command line shows the library's progress reports: a Spectre.Console progress bar on a terminal.</summary>
internal static class ProgressDisplay
{
    /// <summary>True when standard output is an interactive terminal (not redirected to a file or a pipe).</summary>
    public static bool OutputIsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar on <paramref name="console"/>; the work gets the bar's task
    /// (its value and description to update) and returns its result.
    /// </summary>
    public static T Bar<T>(IAnsiConsole console, string label, double total, double start, Func<ProgressTask, T> work, bool autoClear = false) =>
        console.Progress().AutoClear(autoClear)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: Math.Max(1, total));
                task.Value = start;
                return work(task);
            });

    /// <summary>A console on standard error when it is an interactive terminal (stdout stays the result, e.g. JSON); else null.</summary>
    public static IAnsiConsole? ErrorConsole()
    {
        if (Console.IsErrorRedirected) return null;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Profile.Capabilities.Interactive ? console : null;
    }
}
