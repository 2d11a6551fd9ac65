namespace Uino.Tests.Shared;

/// <summary>Runs the <c>uino</c> command in-process and captures what it prints (shared by the test projects).</summary>
internal static class CliRun
{
    /// <summary>Exit code, standard output and standard error of <c>uino args…</c>. Console is process-wide:
    /// fixtures that use this must not run in parallel with each other.</summary>
    public static (int Code, string Out, string Err) Invoke(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (Uino.Cli.UinoCommand.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
