using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Uino.Tests.Api;

/// <summary>What a session computes: result geometry, score, K-shot, pixel formats, overload agreement, the cache.</summary>
public class ApiSegmentTests
{
    private static UinoSession session = null!;
    private static SegmentationResult baseline = null!;

    [OneTimeSetUp]
    public void Open()
    {
        session = ApiModels.Open();
        baseline = session.Segment(ApiModels.QueryImage);
    }

    [OneTimeTearDown]
    public void Close() => session.Dispose();

    /// <summary>RGB bytes of an image file, tightly packed.</summary>
    private static (byte[] Rgb, int W, int H) Rgb(string path)
    {
        using var image = Image.Load<Rgb24>(path);
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return (bytes, image.Width, image.Height);
    }

    private static void AssertSame(SegmentationResult actual, SegmentationResult expected, string what)
    {
        Assert.That(actual.Width, Is.EqualTo(expected.Width), what);
        Assert.That(actual.Height, Is.EqualTo(expected.Height), what);
        Assert.That(actual.Mask.ToArray(), Is.EqualTo(expected.Mask.ToArray()), what + ": mask");
        Assert.That(actual.Probabilities.ToArray(), Is.EqualTo(expected.Probabilities.ToArray()), what + ": probabilities");
        Assert.That(actual.Score, Is.EqualTo(expected.Score), what + ": score");
    }

    [Test]
    public void ResultIsAtTheFrameSizeWithConsistentMaskProbabilityAndScore()
    {
        var r = baseline;
        Assert.That((r.Width, r.Height), Is.EqualTo((256, 256)));
        Assert.That(r.Mask.Length, Is.EqualTo(256 * 256));
        Assert.That(r.Probabilities.Length, Is.EqualTo(256 * 256));
        var mask = r.Mask.Span;
        var p = r.Probabilities.Span;
        double sum = 0;
        int area = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            Assert.That(mask[i] is 0 or 255, $"mask value {mask[i]} at {i}");
            Assert.That(p[i], Is.InRange(0f, 1f));
            // Thresholding the logit at 0 is p > 0.5; float rounding of the sigmoid may put exactly 0.5 either side.
            if (Math.Abs(p[i] - 0.5f) > 1e-6f) Assert.That(mask[i] == 255, Is.EqualTo(p[i] > 0.5f), $"pixel {i}: p = {p[i]}");
            if (mask[i] != 0) { sum += p[i]; area++; }
        }
        Assert.That(r.Area, Is.EqualTo(area));
        Assert.That(r.IsEmpty, Is.EqualTo(area == 0));
        Assert.That(r.Score, Is.EqualTo(area == 0 ? 0.0 : sum / area).Within(1e-4));
        TestContext.Out.WriteLine($"random tiny model: area {area} px, score {r.Score:F4}");
        using var png = r.ToMaskImage();
        Assert.That((png.Width, png.Height), Is.EqualTo((256, 256)));
    }

    [Test]
    public void NonSquareFramesComeBackAtTheirOwnSize()
    {
        var (rgb, w, h) = Rgb(ApiModels.QueryImage);
        // A 200×120 window of the picture, read in place through the stride.
        var r = session.Segment(new PixelBuffer(rgb.AsSpan(30 * w * 3 + 20 * 3), 200, 120, w * 3, PixelFormat.Rgb8));
        Assert.That((r.Width, r.Height, r.Mask.Length), Is.EqualTo((200, 120, 24000)));
    }

    [Test]
    public void PixelFormatsWithPaddedStridesGiveIdenticalResults()
    {
        var (rgb, w, h) = Rgb(ApiModels.QueryImage);
        var expected = session.Segment(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8));
        AssertSame(expected, baseline, "RGB8 buffer vs file");
        foreach (var format in new[] { PixelFormat.Bgr8, PixelFormat.Rgba8, PixelFormat.Bgra8 })
        {
            int bpp = PixelBuffer.BytesPerPixel(format), stride = w * bpp + 13;           // odd padding on every row
            var buffer = new byte[stride * h];
            Random.Shared.NextBytes(buffer);                                                  // garbage in padding and alpha
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int s = (y * w + x) * 3, d = y * stride + x * bpp;
                    bool bgr = format is PixelFormat.Bgr8 or PixelFormat.Bgra8;
                    buffer[d] = rgb[s + (bgr ? 2 : 0)];
                    buffer[d + 1] = rgb[s + 1];
                    buffer[d + 2] = rgb[s + (bgr ? 0 : 2)];
                }
            AssertSame(session.Segment(new PixelBuffer(buffer, w, h, stride, format)), expected, format.ToString());
        }
    }

    [Test]
    public void Gray8MatchesItsRgbGrayVersion()
    {
        var (rgb, w, h) = Rgb(ApiModels.QueryImage);
        var gray = new byte[w * h];
        var grayRgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            gray[i] = (byte)((rgb[3 * i] * 77 + rgb[3 * i + 1] * 150 + rgb[3 * i + 2] * 29) >> 8);
            grayRgb[3 * i] = grayRgb[3 * i + 1] = grayRgb[3 * i + 2] = gray[i];
        }
        var fromGray = session.Segment(new PixelBuffer(gray, w, h, w, PixelFormat.Gray8));
        AssertSame(fromGray, session.Segment(new PixelBuffer(grayRgb, w, h, w * 3, PixelFormat.Rgb8)), "Gray8 vs gray RGB8");
        Assert.That(fromGray.Probabilities.ToArray(), Is.Not.EqualTo(baseline.Probabilities.ToArray()), "gray input is a different picture");
    }

    [Test]
    public void FileImageSharpAndRawOverloadsAgree()
    {
        using var image = Image.Load<Rgb24>(ApiModels.QueryImage);
        AssertSame(session.Segment(image), baseline, "ImageSharp");
        var (rgb, w, h) = Rgb(ApiModels.QueryImage);
        AssertSame(session.Segment(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8)), baseline, "PixelBuffer");

        // Caller buffers: a padded mask (padding untouched) and the probabilities.
        int stride = w + 7;
        var mask = new byte[stride * h];
        Array.Fill(mask, (byte)77);
        var probabilities = new float[w * h];
        float score = session.SegmentInto(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8), mask, stride, probabilities);
        Assert.That(score, Is.EqualTo(baseline.Score));
        Assert.That(probabilities, Is.EqualTo(baseline.Probabilities.ToArray()));
        for (int y = 0; y < h; y++)
        {
            Assert.That(mask.AsSpan(y * stride, w).ToArray(), Is.EqualTo(baseline.Mask.Span.Slice(y * w, w).ToArray()), $"row {y}");
            Assert.That(mask.AsSpan(y * stride + w, 7).ToArray(), Is.All.EqualTo((byte)77), $"padding of row {y}");
        }
        var maskOnly = new byte[w * h];
        Assert.That(session.SegmentInto(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8), maskOnly), Is.EqualTo(baseline.Score));
        Assert.That(maskOnly, Is.EqualTo(baseline.Mask.ToArray()));
    }

    [Test]
    public void ReferenceOverloadsAgree()
    {
        using var image = Image.Load<Rgb24>(ApiModels.ReferenceImage);
        using var mask = Image.Load<L8>(ApiModels.ReferenceMask);
        var maskBytes = new byte[256 * 256];
        mask.CopyPixelDataTo(maskBytes);
        var (rgb, w, h) = Rgb(ApiModels.ReferenceImage);
        // The raw overload with a padded mask whose padding is all "object": padding must not leak in.
        var padded = new byte[(w + 3) * h];
        Array.Fill(padded, (byte)255);
        for (int y = 0; y < h; y++) maskBytes.AsSpan(y * w, w).CopyTo(padded.AsSpan(y * (w + 3)));

        using var other = ApiModels.Open(withReference: false);
        var adds = new (string Name, Action Add)[]
        {
            ("Image + Image<L8>", () => other.AddReference(image, mask)),
            ("Image + bytes", () => other.AddReference(image, maskBytes)),
            ("PixelBuffer + strided bytes", () => other.AddReference(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8), padded, w + 3)),
        };
        foreach (var (name, add) in adds)
        {
            other.ClearReferences();
            add();
            AssertSame(other.Segment(ApiModels.QueryImage), baseline, name);
        }
    }

    [Test]
    public void KShotUsesEveryShotAndClearReferencesResets()
    {
        using var s = ApiModels.Open();
        var one = s.Segment(ApiModels.QueryImage);
        AssertSame(one, baseline, "1-shot in a fresh session");
        s.AddReference(ApiModels.Sample("queries/query2.png"), ApiModels.Sample("queries/query2.mask.png"));
        Assert.That(s.ReferenceCount, Is.EqualTo(2));
        var two = s.Segment(ApiModels.QueryImage);
        Assert.That((two.Width, two.Height, two.Mask.Length), Is.EqualTo((one.Width, one.Height, one.Mask.Length)));
        Assert.That(two.Probabilities.ToArray(), Is.Not.EqualTo(one.Probabilities.ToArray()), "the second shot changes the prediction");

        s.ClearReferences();
        Assert.That(s.ReferenceCount, Is.EqualTo(0));
        Assert.Throws<UinoNoReferenceException>(() => s.Segment(ApiModels.QueryImage));
        s.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask);
        AssertSame(s.Segment(ApiModels.QueryImage), one, "1-shot again after ClearReferences");
    }

    [Test]
    public void NoSupportWorkPerFrame()
    {
        using var s = ApiModels.Open(withReference: false);
        long before = s.Model.ReferenceEncodings;
        s.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask);
        Assert.That(s.Model.ReferenceEncodings, Is.EqualTo(before + 1), "one encoding per AddReference");
        var (rgb, w, h) = Rgb(ApiModels.QueryImage);
        for (int i = 0; i < 5; i++) s.Segment(new PixelBuffer(rgb, w, h, w * 3, PixelFormat.Rgb8));
        s.Segment(ApiModels.QueryImage);
        Assert.That(s.Model.ReferenceEncodings, Is.EqualTo(before + 1), "segments add no support encodings");
        s.AddReference(ApiModels.Sample("queries/query2.png"), ApiModels.Sample("queries/query2.mask.png"));
        Assert.That(s.Model.ReferenceEncodings, Is.EqualTo(before + 2), "the 2-shot cache is rebuilt once");
    }

    [Test]
    public void FailedAddReferenceLeavesTheReferencesAsTheyWere()
    {
        using var s = ApiModels.Open();
        long encodings = s.Model.ReferenceEncodings;
        Assert.Throws<UinoArgumentException>(() => s.AddReference(ApiModels.ReferenceImage, ApiModels.QueryImage.Replace("query.png", "classes.png")));
        Assert.That(s.ReferenceCount, Is.EqualTo(1));
        Assert.That(s.Model.ReferenceEncodings, Is.EqualTo(encodings));
        AssertSame(s.Segment(ApiModels.QueryImage), baseline, "unchanged reference");
    }

    [Test]
    public void InputSizeOverrideRunsTheSameWeightsAtAnotherResolution()
    {
        using var small = ApiModels.Open(inputSize: 56);
        Assert.That(small.InputSize, Is.EqualTo(56));
        var r = small.Segment(ApiModels.QueryImage);
        Assert.That((r.Width, r.Height), Is.EqualTo((256, 256)), "still at the frame size");
        Assert.That(r.Probabilities.ToArray(), Is.Not.EqualTo(baseline.Probabilities.ToArray()));
        using var same = ApiModels.Open(inputSize: ApiModels.InputSize);
        AssertSame(same.Segment(ApiModels.QueryImage), baseline, "explicit native size");
    }

    [Test]
    public void VariantOverrideFullToCompDropsTheDensePromptGenerator()
    {
        using var comp = new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Full, Variant = UinoVariant.Comp });
        Assert.That(comp.Variant, Is.EqualTo(UinoVariant.Comp));
        Assert.That(comp.Model.Mhcm, Is.Null);
        // The shared weights are the file's.
        using var full = ApiModels.Open(withReference: false);
        Assert.That(comp.Model.Svp.state_dict()["conv1.weight"].equal(full.Model.Svp.state_dict()["conv1.weight"]).all().item<bool>(),
                    Is.True);
        comp.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask);
        Assert.That(comp.Segment(ApiModels.QueryImage).Probabilities.ToArray(), Is.Not.EqualTo(baseline.Probabilities.ToArray()));
    }

    [Test]
    public void SessionSurvivesACallerDisposeScope()
    {
        UinoSession s;
        using (NewDisposeScope())
        {
            s = ApiModels.Open();                                    // weights and reference created inside the caller's scope
            AssertSame(s.Segment(ApiModels.QueryImage), baseline, "inside");
        }
        using (s) AssertSame(s.Segment(ApiModels.QueryImage), baseline, "after the caller's scope was disposed");
    }
}
