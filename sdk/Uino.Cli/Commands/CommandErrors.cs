namespace Uino.Cli.Commands;

/// <summary>The command line's error promise: one line on stderr naming the command, and exit code 1.</summary>
internal static class CommandErrors
{
    /// <summary>Reports an expected failure (bad input, missing file, …) by its message.</summary>
    public static int Fail(string command, Exception e)
    {
        Console.Error.WriteLine($"uino {command}: {OneLine(e.Message)}");
        return 1;
    }

    /// <summary>Reports anything else without a stack trace; the exception type says where to look.</summary>
    public static int FailUnexpected(string command, Exception e)
    {
        Console.Error.WriteLine($"uino {command}: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
        return 1;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
