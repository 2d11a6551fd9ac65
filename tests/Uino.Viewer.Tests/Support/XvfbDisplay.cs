using NUnit.Framework;
using System.Diagnostics;

namespace Uino.Viewer.Tests;

/// <summary>
/// A private X server for every test of this assembly (declared in the root namespace, so it covers them all): Xvfb on a display number it picks itself (<c>-displayfd</c>), so
/// parallel runs and other sessions' servers never collide. Started once for the assembly; missing Xvfb is a
/// failure, not a skip (scripts/apt-packages.txt lists it).
/// </summary>
[SetUpFixture]
public sealed class XvfbDisplay
{
    private static Process? server;

    /// <summary>The DISPLAY value of the running server (":N").</summary>
    public static string Display { get; private set; } = "";

    [OneTimeSetUp]
    public void Start()
    {
        var info = new ProcessStartInfo("Xvfb")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp" }) info.ArgumentList.Add(a);
        try { server = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Xvfb could not be started ({e.Message}): the viewer tests need it (Debian: apt-get install xvfb; scripts/test.sh installs scripts/apt-packages.txt).");
        }
        server!.ErrorDataReceived += (_, _) => { };
        server.BeginErrorReadLine();
        // Xvfb writes the display number once it accepts connections.
        var line = server.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result is not { } number || !int.TryParse(number.Trim(), out _))
        {
            Stop();
            Assert.Fail("Xvfb started but did not report a display within 20 s.");
        }
        Display = ":" + line.Result!.Trim();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        if (server is null) return;
        if (!server.HasExited) { server.Kill(); server.WaitForExit(5000); }
        server.Dispose();
        server = null;
    }
}
