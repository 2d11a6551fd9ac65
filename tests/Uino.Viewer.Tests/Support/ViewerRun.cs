using NUnit.Framework;
using System.Diagnostics;
using System.Text.Json;

namespace Uino.Viewer.Tests.Support;

/// <summary>One run of the viewer executable on the test display: exit code, output, and the <c>--stats</c> it wrote.</summary>
internal sealed record ViewerRun(int ExitCode, string Out, string Err)
{
    public static ViewerRun Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null, int timeoutSeconds = 180)
    {
        var info = new ProcessStartInfo(TestPaths.ViewerExecutable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = TestContext.CurrentContext.WorkDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DISPLAY"] = XvfbDisplay.Display;
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v is null) info.Environment.Remove(k); else info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"The viewer did not finish within {timeoutSeconds} s. stderr: {stderr.Result}");
        }
        p.WaitForExit();
        return new ViewerRun(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Asserts a clean exit and reads the stats file.</summary>
    public JsonElement SucceededWithStats(string statsPath)
    {
        Assert.That(ExitCode, Is.EqualTo(0), $"the viewer failed.\nstderr: {Err}\nstdout: {Out}");
        Assert.That(File.Exists(statsPath), $"no stats written to {statsPath}");
        using var doc = JsonDocument.Parse(File.ReadAllText(statsPath));
        return doc.RootElement.Clone();
    }
}
