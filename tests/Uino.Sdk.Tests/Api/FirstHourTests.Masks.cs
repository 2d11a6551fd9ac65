using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Cli.Commands;

namespace Uino.Tests.Api;

public partial class FirstHourTests
{
    // ------------------------------------------------------------ 4. lossy or soft masks

    /// <summary>The sample reference mask saved as a JPEG (quality 75): the PNG's 0/255 edges become grey noise.</summary>
    private static string JpegMask(TempFolder tmp, int quality = 75)
    {
        var path = tmp.File("mask.jpg");
        using var png = Image.Load<L8>(ApiModels.ReferenceMask);
        png.SaveAsJpeg(path, new JpegEncoder { Quality = quality });
        return path;
    }

    private static long Area(Image<L8> mask) => ImageInput.Bytes(mask).ToArray().LongCount(b => b != 0);

    [Test]
    public void AJpegMaskIsThresholdedAt128AndDoesNotGrow()
    {
        using var tmp = new TempFolder();
        var jpeg = JpegMask(tmp);
        var warnings = new List<string>();
        using var exact = ImageInput.LoadMask(ApiModels.ReferenceMask, "reference mask", warnings.Add);
        Assert.That(warnings, Is.Empty, "the sample PNG mask is binary");
        using var lossy = ImageInput.LoadMask(jpeg, "reference mask", warnings.Add);
        using var raw = Image.Load<L8>(jpeg);
        long truth = Area(exact), thresholded = Area(lossy), nonzero = Area(raw);
        TestContext.Out.WriteLine($"PNG area {truth}, JPEG nonzero {nonzero} ({(double)nonzero / truth - 1:P1}), JPEG >= 128 {thresholded}");
        Assert.That(nonzero, Is.GreaterThan(truth * 1.02), "JPEG noise: 'nonzero' would grow the mask");
        Assert.That(Math.Abs(thresholded - truth), Is.LessThan(truth * 0.01), "thresholded at 128 it keeps its area");
        Assert.That(ImageInput.Bytes(lossy).ToArray().Distinct().Except(new byte[] { 0, 255 }), Is.Empty, "0/255");
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Match(@"^reference mask '.*mask\.jpg' is not binary \(\d+\.\d% grey pixels\): thresholded at 128; save masks as PNG with 0/255$"));
    }

    [Test]
    public void AColourMaskFileKeepsItsObjectAndTheBufferApiKeepsNonzero()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("blue.png");
        using (var mask = new Image<Rgb24>(8, 8))
        {
            for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) mask[x, y] = new Rgb24(0, 0, 255);   // pure blue: luminance 18
            mask.SaveAsPng(path);
        }
        using var loaded = ImageInput.LoadMask(path, "mask");
        Assert.That(Area(loaded), Is.EqualTo(16), "a colour mask's object is its bright channel, not its luminance");

        // Masks in memory keep "nonzero = object": a mask of 1s is a valid reference.
        using var session = ApiModels.Open(withReference: false);
        using var image = Image.Load<Rgb24>(ApiModels.ReferenceImage);
        using var file = Image.Load<L8>(ApiModels.ReferenceMask);
        var ones = ImageInput.Bytes(file).ToArray().Select(b => b != 0 ? (byte)1 : (byte)0).ToArray();
        Assert.DoesNotThrow(() => session.AddReference(image, ones));
    }

    [Test]
    public void TheCliWarnsAboutAJpegMaskOnceAndStillSegments()
    {
        using var tmp = new TempFolder();
        var jpeg = JpegMask(tmp);
        var outDir = tmp.File("out");
        var (code, stdout, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", jpeg, "-q", ApiModels.QueryImage, "-o", outDir,
                                      "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("Segmented 1 image(s)"));
        AssertOneLine(err, "uino segment: warning: reference mask '", "mask.jpg' is not binary", "grey pixels", "thresholded at 128", "save masks as PNG with 0/255");

        // A binary PNG mask: no warning at all.
        (code, _, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage,
                             "-o", tmp.File("out2"), "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(err, Is.Empty);
    }
}
