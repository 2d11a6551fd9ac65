using NUnit.Framework;
using OpenCvSharp;
using Uino.Viewer.Tests.Support;

namespace Uino.Viewer.Tests;

/// <summary>
/// End to end under Xvfb and lavapipe: the viewer plays a still video of <c>samples/query.png</c> with the reference
/// from the command line, and the screenshot it writes is checked pixel by pixel against the model's own mask and
/// the known object mask, and for the HUD. The model is the synthetic-benchmark one (sdk/models/uino-synthetic.safetensors),
/// whose masks on these synthetic samples are known: this checks the viewer's composition, not a model.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class LiveOverlayTests
{
    private const int FrameSide = 256, WindowWidth = 768, WindowHeight = 512;

    [Test]
    public void ScreenshotTintsTheSegmentedObjectLeavesTheBackgroundAndDrawsTheHud()
    {
        var dir = TestPaths.NewFolder("overlay");
        var video = TestVideo.Still(dir, TestPaths.Sample("query.png"), frames: 30, fps: 10);
        string shot = Path.Combine(dir, "shot.png"), statsPath = Path.Combine(dir, "stats.json"), recording = Path.Combine(dir, "rec.avi");
        var run = ViewerRun.Start([
            "--source", video, "--loop", "--model", TestPaths.SyntheticModel, "--reference", TestPaths.Sample("reference.png"), "--mask", TestPaths.Sample("reference.mask.png"),
            "--size", $"{WindowWidth}x{WindowHeight}", "--frames", "12", "--screenshot", shot, "--record", recording, "--stats", statsPath,
        ]);
        var stats = run.SucceededWithStats(statsPath);
        Assert.That(stats.GetProperty("maskShown").GetBoolean(), "the screenshot was taken without a finished mask");
        Assert.That(stats.GetProperty("references").GetInt32(), Is.EqualTo(1));
        // Pooled buffers: a handful in flight, however many frames went by.
        Assert.That(stats.GetProperty("framePoolSize").GetInt32(), Is.LessThanOrEqualTo(6));
        Assert.That(stats.GetProperty("maskPoolSize").GetInt32(), Is.LessThanOrEqualTo(4));

        // Letterbox: a 256² frame in 768×512 is drawn at 2× and centred.
        int scale = Math.Min(WindowWidth / FrameSide, WindowHeight / FrameSide), side = FrameSide * scale, x0 = (WindowWidth - side) / 2;
        var rect = stats.GetProperty("frameRect").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(rect, Is.EqualTo(new double[] { x0, 0, side, side }));
        var hud = stats.GetProperty("hudRect").EnumerateArray().Select(e => (int)e.GetDouble()).ToArray();

        using var screen = Cv2.ImRead(shot, ImreadModes.Color);
        Assert.That((screen.Width, screen.Height), Is.EqualTo((WindowWidth, WindowHeight)));
        using var frameArea = new Mat(screen, new Rect(x0, 0, side, side));
        using var frame = TestVideo.PlaybackFrame(video);
        using var plain = new Mat();
        Cv2.Resize(frame, plain, new Size(side, side), interpolation: InterpolationFlags.Linear);

        // Pixels under the HUD are judged by the HUD check only.
        using var notHud = new Mat(side, side, MatType.CV_8UC1, Scalar.All(255));
        Cv2.Rectangle(notHud, new Rect(hud[0] - x0, hud[1], hud[2], hud[3]), Scalar.All(0), -1);
        using var changed = PixelChecks.Changed(frameArea, plain, threshold: 45);

        // 1. The overlay is exactly where the model says the object is (GPU composition of the mask it computed).
        using var predicted = PredictedMask(frame, side);
        CheckOverlay(changed, predicted, notHud, minInside: 0.95, maxOutside: 0.02, what: "the model's mask");

        // 2. Against the known object: the object region is tinted, the background is not.
        using var truth = Cv2.ImRead(TestPaths.Sample("query.mask.png"), ImreadModes.Grayscale);
        using var truthBig = new Mat();
        Cv2.Resize(truth, truthBig, new Size(side, side), interpolation: InterpolationFlags.Nearest);
        CheckOverlay(changed, truthBig, notHud, minInside: 0.8, maxOutside: 0.05, what: "the known object mask");

        CheckHud(screen, hud);
        CheckRecording(recording, stats.GetProperty("framesShown").GetInt64(), stats.GetProperty("framesRecorded").GetInt64());
    }

    /// <summary>--record wrote every displayed frame, at the window's size.</summary>
    private static void CheckRecording(string path, long shown, long recorded)
    {
        Assert.That(recorded, Is.EqualTo(shown), "every displayed frame should be recorded");
        using var capture = new VideoCapture(path);
        Assert.That(capture.IsOpened(), $"the recording {path} cannot be opened");
        using var frame = new Mat();
        int count = 0;
        while (capture.Read(frame) && !frame.Empty())
        {
            Assert.That((frame.Width, frame.Height), Is.EqualTo((WindowWidth, WindowHeight)));
            count++;
        }
        Assert.That(count, Is.EqualTo(recorded), "the AVI does not hold the recorded frames");
    }

    private static void CheckOverlay(Mat changed, Mat mask, Mat notHud, double minInside, double maxOutside, string what)
    {
        var (inside, outside) = PixelChecks.Cores(mask, band: 4);   // the outline and resampling live at the edge
        using (inside)
        using (outside)
        {
            Cv2.BitwiseAnd(inside, notHud, inside);
            Cv2.BitwiseAnd(outside, notHud, outside);
            double tintedInside = PixelChecks.FractionChanged(changed, inside), tintedOutside = PixelChecks.FractionChanged(changed, outside);
            TestContext.Out.WriteLine($"{what}: {tintedInside:P1} of the inside tinted, {tintedOutside:P1} of the outside");
            Assert.That(tintedInside, Is.GreaterThanOrEqualTo(minInside), $"too little of {what}'s inside is tinted");
            Assert.That(tintedOutside, Is.LessThanOrEqualTo(maxOutside), $"too much outside {what} is tinted");
        }
    }

    /// <summary>What the model segments in the decoded frame, at the displayed size.</summary>
    private static unsafe Mat PredictedMask(Mat frame, int side)
    {
        using var session = new UinoSession(new UinoSessionOptions { ModelPath = TestPaths.SyntheticModel });
        session.AddReference(TestPaths.Sample("reference.png"), TestPaths.Sample("reference.mask.png"));
        var mask = new byte[frame.Width * frame.Height];
        var pixels = new ReadOnlySpan<byte>((void*)frame.Data, (int)(frame.Step() * frame.Height));
        session.SegmentInto(new PixelBuffer(pixels, frame.Width, frame.Height, (int)frame.Step(), PixelFormat.Bgr8), mask);
        using var small = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC1, mask);
        var big = new Mat();
        Cv2.Resize(small, big, new Size(side, side), interpolation: InterpolationFlags.Nearest);
        return big;
    }

    /// <summary>
    /// The HUD is a dark translucent panel with white text: every one of its text lines has near-white pixels, and
    /// the panel is darker than what is under it.
    /// </summary>
    private static void CheckHud(Mat screen, int[] hud)
    {
        Assert.That(hud[2], Is.GreaterThan(200), "the HUD is implausibly narrow");
        Assert.That(hud[3], Is.GreaterThan(40), "the HUD is implausibly short");
        using var panel = new Mat(screen, new Rect(hud[0], hud[1], hud[2], hud[3]));
        using var gray = new Mat();
        Cv2.CvtColor(panel, gray, ColorConversionCodes.BGR2GRAY);
        using var white = new Mat();
        Cv2.Threshold(gray, white, 200, 255, ThresholdTypes.Binary);
        int lines = (hud[3] - 8) / 20;   // HudPanel: 20 px a line, 8 px padding
        Assert.That(lines, Is.GreaterThanOrEqualTo(4), "the HUD should show rates, model, source, mode and key help");
        for (int i = 0; i < lines; i++)
        {
            using var band = new Mat(white, new Rect(0, i * 20, hud[2], 20));
            Assert.That(Cv2.CountNonZero(band), Is.GreaterThan(40), $"HUD line {i + 1} has no text");
        }
        using var dark = new Mat();
        Cv2.Threshold(gray, dark, 60, 255, ThresholdTypes.BinaryInv);
        Assert.That((double)Cv2.CountNonZero(dark) / (hud[2] * hud[3]), Is.GreaterThan(0.5), "the HUD panel is not dark behind the text");
    }
}
