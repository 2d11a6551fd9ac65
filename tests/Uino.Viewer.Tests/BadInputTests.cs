using NUnit.Framework;
using Uino.Viewer.Tests.Support;

namespace Uino.Viewer.Tests;

/// <summary>Every user-caused failure ends with one line on stderr naming the problem and exit code 2, never a crash.</summary>
[TestFixture, NonParallelizable]
public sealed class BadInputTests
{
    private static string StillVideo() => TestVideo.Still(TestPaths.NewFolder("bad"), TestPaths.Sample("query.png"), frames: 3, fps: 10);

    private static void ExpectOneLineError(ViewerRun run, string expected)
    {
        Assert.That(run.ExitCode, Is.EqualTo(2), $"stderr: {run.Err}");
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), $"expected one message, got:\n{run.Err}");
        Assert.That(lines[0], Does.StartWith("uino-viewer: ").And.Contain(expected));
    }

    [Test]
    public void MissingVideo() =>
        ExpectOneLineError(ViewerRun.Start(["--source", "/nonexistent/clip.avi"]), "does not exist");

    [Test]
    public void UnreadableVideo()
    {
        var path = Path.Combine(TestPaths.NewFolder("garbage"), "garbage.avi");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());
        var run = ViewerRun.Start(["--source", path]);
        Assert.That(run.Err, Does.Contain("could not be opened").Or.Contain("no readable frame"));
        ExpectOneLineError(run, "garbage.avi");
    }

    [Test]
    public void NoCamera() =>
        ExpectOneLineError(ViewerRun.Start(["--camera", "63"]), "Camera 63 could not be opened");

    [Test]
    public void NoDisplay() =>
        ExpectOneLineError(ViewerRun.Start(["--source", StillVideo()], new Dictionary<string, string?> { ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null }),
                           "No display");

    [Test]
    public void NoVulkanDevice() =>
        // Point the loader at a driver list that does not exist: no device, as on a machine without a Vulkan driver.
        ExpectOneLineError(ViewerRun.Start(["--source", StillVideo()], new Dictionary<string, string?>
                           {
                               ["VK_ICD_FILENAMES"] = "/nonexistent/icd.json", ["VK_DRIVER_FILES"] = "/nonexistent/icd.json",
                           }), "No Vulkan");

    [Test]
    public void MismatchedReferenceAndMaskCounts() =>
        ExpectOneLineError(ViewerRun.Start(["--source", StillVideo(), "--reference", TestPaths.Sample("reference.png")]), "--mask");

    [Test]
    public void BadScriptLineNamesTheLine()
    {
        var script = Path.Combine(TestPaths.NewFolder("script"), "bad.script");
        File.WriteAllText(script, "1 key space\n2 wiggle 3 4\n");
        ExpectOneLineError(ViewerRun.Start(["--source", StillVideo(), "--script", script]), "bad.script:2");
    }
}
