using NUnit.Framework;
using OpenCvSharp;
using Uino.Viewer.Tests.Support;

namespace Uino.Viewer.Tests;

/// <summary>
/// Reference capture driven by an <c>--script</c> of timed input events: freeze, a brush stroke, a box, an erase,
/// save, confirm; then a scripted resize. The saved mask is compared with the geometry the events describe,
/// computed here independently.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class CaptureScriptTests
{
    private const int Side = 256, Window = 512, Scale = Window / Side;   // the frame fills the window at 2×
    private const double BrushRadius = 12;                                  // the editor's documented default, in frame pixels

    [Test]
    public void ScriptedPaintingSavesTheMaskItDescribesAndSetsTheReference()
    {
        var dir = TestPaths.NewFolder("capture");
        var video = TestVideo.Still(dir, TestPaths.Sample("reference.png"), frames: 30, fps: 10);
        string saveDir = Path.Combine(dir, "saved"), statsPath = Path.Combine(dir, "stats.json"), script = Path.Combine(dir, "capture.script");
        File.WriteAllText(script, """
            # frame event args        (window pixels; the 256² frame fills the 512² window)
            3  key space              # freeze
            4  move 100 100
            5  press left             # brush stroke from (100,100) to (200,140)
            6  move 200 140
            7  release left
            8  key b                  # box tool
            9  move 300 300
            10 press left             # box (300,300)-(400,380)
            11 move 400 380
            12 release left
            13 key b                  # back to the brush
            14 move 350 340
            15 press right            # erase a disc inside the box
            16 release right
            17 key s                  # save the shot
            18 key enter              # set it as the reference
            20 resize 600 400         # the swapchain must follow
            """);
        var run = ViewerRun.Start([
            "--source", video, "--loop", "--size", $"{Window}x{Window}", "--script", script, "--save-dir", saveDir,
            "--frames", "30", "--screenshot", Path.Combine(dir, "after.png"), "--stats", statsPath,
        ]);
        var stats = run.SucceededWithStats(statsPath);

        string imagePath = Path.Combine(saveDir, "reference-1.png"), maskPath = Path.Combine(saveDir, "reference-1.mask.png");
        Assert.That(File.Exists(imagePath) && File.Exists(maskPath), $"S did not save the shot; saved: {stats.GetProperty("saved")}");
        using var mask = Cv2.ImRead(maskPath, ImreadModes.Unchanged);
        Assert.That((mask.Width, mask.Height, mask.Channels()), Is.EqualTo((Side, Side, 1)));
        var expected = ExpectedMask();
        int painted = 0, agree = 0, union = 0, intersection = 0;
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                byte v = mask.At<byte>(y, x);
                Assert.That(v is 0 or 255, $"mask value {v} at ({x},{y}) is not 0/255");
                bool got = v == 255, want = expected[y, x];
                painted += got ? 1 : 0;
                agree += got == want ? 1 : 0;
                union += got || want ? 1 : 0;
                intersection += got && want ? 1 : 0;
            }
        TestContext.Out.WriteLine($"painted {painted} px, IoU with the scripted geometry {(double)intersection / union:F4}");
        Assert.That((double)intersection / union, Is.GreaterThanOrEqualTo(0.99), "the saved mask is not the painted shape");
        Assert.That(agree, Is.GreaterThanOrEqualTo(Side * Side - 20));

        // The saved image is the frozen frame.
        using var saved = Cv2.ImRead(imagePath, ImreadModes.Color);
        using var frame = TestVideo.PlaybackFrame(video);
        using var diff = new Mat();
        Cv2.Absdiff(saved, frame, diff);
        Assert.That(Cv2.Mean(diff).Val0, Is.LessThan(1.0), "the saved reference image is not the frozen frame");

        // Enter made it the reference, the viewer segmented with it, and the resize rebuilt the swapchain.
        Assert.That(stats.GetProperty("references").GetInt32(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("maskShown").GetBoolean(), "no mask was shown after the captured reference was set");
        Assert.That(stats.GetProperty("swapchainCreations").GetInt32(), Is.GreaterThanOrEqualTo(2));
        Assert.That((stats.GetProperty("windowWidth").GetInt32(), stats.GetProperty("windowHeight").GetInt32()), Is.EqualTo((600, 400)));
    }

    /// <summary>The scripted shapes in frame pixels: pixel centres at integers, window pixel w ↦ frame w/2 − 0.5.</summary>
    private static bool[,] ExpectedMask()
    {
        static double F(double window) => window / Scale - 0.5;
        var m = new bool[Side, Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                bool stroke = DistanceToSegment(x, y, F(100), F(100), F(200), F(140)) <= BrushRadius;
                bool box = x >= F(300) && x <= F(400) && y >= F(300) && y <= F(380);
                bool erased = DistanceToSegment(x, y, F(350), F(340), F(350), F(340)) <= BrushRadius;
                m[y, x] = stroke || (box && !erased);
            }
        return m;
    }

    private static double DistanceToSegment(double px, double py, double ax, double ay, double bx, double by)
    {
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : Math.Clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0, 1);
        return Math.Sqrt(Math.Pow(px - (ax + t * dx), 2) + Math.Pow(py - (ay + t * dy), 2));
    }
}
