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
    // ------------------------------------------------------------ 5. grayscale, palette, 16-bit and gray+alpha images

    private static string Save(TempFolder tmp, string name, Image image, PngEncoder encoder)
    {
        var path = tmp.File(name);
        image.SaveAsPng(path, encoder);
        return path;
    }

    [Test]
    public void PalettePng16BitAndGrayAlphaAreReadAsRgbByReplication()
    {
        using var tmp = new TempFolder();
        using var gray = new Image<L16>(16, 8);
        using var grayAlpha = new Image<La16>(16, 8);
        using var palette = new Image<Rgb24>(16, 8);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++)
            {
                byte v = (byte)(x * 16 + y);
                gray[x, y] = new L16((ushort)(v * 257));
                grayAlpha[x, y] = new La16(v, (byte)(255 - y));
                palette[x, y] = x < 8 ? new Rgb24(200, 30, 60) : new Rgb24(10, 120, 240);
            }
        var files = new Dictionary<string, string>
        {
            ["16-bit gray"] = Save(tmp, "gray16.png", gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 }),
            ["gray+alpha"] = Save(tmp, "grayalpha.png", grayAlpha, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha, BitDepth = PngBitDepth.Bit8 }),
            ["8-bit gray"] = Save(tmp, "gray8.png", gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 }),
        };
        foreach (var (what, path) in files)
        {
            using var rgb = ImageInput.LoadRgb(path, what);
            Assert.That((rgb.Width, rgb.Height), Is.EqualTo((16, 8)), what);
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 16; x++)
                {
                    var p = rgb[x, y];
                    byte v = (byte)(x * 16 + y);
                    Assert.That((p.R, p.G, p.B), Is.EqualTo((v, v, v)), $"{what} at ({x}, {y}): replicated, alpha dropped");
                }
            Assert.That(ColourCheck.IsGray(rgb), Is.True, what);
        }
        var indexed = Save(tmp, "palette.png", palette, new PngEncoder { ColorType = PngColorType.Palette });
        Assert.That(Image.Identify(indexed)!.PixelType.BitsPerPixel, Is.LessThanOrEqualTo(8), "really a palette PNG");
        using (var rgb = ImageInput.LoadRgb(indexed, "palette"))
        {
            Assert.That(rgb[3, 4], Is.EqualTo(new Rgb24(200, 30, 60)));
            Assert.That(rgb[12, 4], Is.EqualTo(new Rgb24(10, 120, 240)));
            Assert.That(ColourCheck.IsGray(rgb), Is.False);
        }
        // And a session segments every one of them.
        using var session = ApiModels.Open();
        foreach (var path in files.Values.Append(indexed))
            Assert.That(session.Segment(path).Mask.Length, Is.EqualTo(16 * 8), path);
    }

    [Test]
    public void TheCliWarnsOnceWhenTheReferenceIsColourAndTheQueryGrayscale()
    {
        using var tmp = new TempFolder();
        var queries = tmp.Sub("gray");
        foreach (var name in new[] { "a", "b" })
        {
            using var q = Image.Load<L8>(ApiModels.QueryImage);
            q.SaveAsPng(Path.Combine(queries, name + ".png"), new PngEncoder { ColorType = PngColorType.Grayscale });
        }
        var (code, _, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", queries, "-o", tmp.File("out"),
                                 "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        AssertOneLine(err, "uino segment: warning: ", "grayscale", "colour");

        // A colour query: no warning.
        (code, _, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage,
                             "-o", tmp.File("out2"), "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(err, Is.Empty);
    }
}
