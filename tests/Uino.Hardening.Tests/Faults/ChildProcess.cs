using System.Diagnostics;

namespace Uino.Hardening.Faults;

/// <summary>Starts Uino.Hardening.Child (built beside the tests) with the same dotnet host, and follows its output.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private int saves;

    public ChildProcess(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Uino.Hardening.Child.dll");
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        process = Process.Start(info) ?? throw new InvalidOperationException("could not start the child process");
        process.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("saved ", StringComparison.Ordinal) == true) Interlocked.Increment(ref saves); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (Errors) Errors.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Complete writes the child has reported.</summary>
    public int Saves => Volatile.Read(ref saves);

    public List<string> Errors { get; } = new();

    /// <summary>Waits until the child has reported <paramref name="count"/> saves (false on timeout or exit).</summary>
    public bool WaitForSaves(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Saves < count)
        {
            if (process.HasExited || clock.Elapsed > timeout) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no handler, finaliser or flush runs.</summary>
    public void KillNow()
    {
        process.Kill();
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) KillNow();
        process.Dispose();
    }
}
