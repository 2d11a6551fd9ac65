using NUnit.Framework;
using Uino.Api;
using Uino.Hardening.Support;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Fuzzes image and mask files through the loaders the session uses: any file either decodes or is refused with a
/// <see cref="UinoArgumentException"/>; a mask that decodes then goes through the reference-mask checks.
/// </summary>
[NonParallelizable]
public class ImageFuzzTests
{
    [Test]
    public void ImageLoaderDecodesOrRefusesEveryMutation() => FuzzCampaign.Run(new FuzzTarget(
        "image", HardeningPaths.CorpusFiles("images"), PngMutator.Mutate,
        path => ImageInput.LoadRgb(path, "frame").Dispose(),
        e => e is UinoArgumentException, nameof(UinoArgumentException))
    {
        // A 77-byte lossy WebP may declare 6144×4096 (under the default pixel limit) and decoding it honestly takes
        // as long as any image of that size: 41 s on this shared, overloaded machine. A hang is far longer.
        SlowSeconds = 120,
    });

    /// <summary>Seeded with mask.png, the one seed that is a valid reference mask (mask.pgm is all background).</summary>
    [Test]
    public void MaskFilesAreDecodedAndValidatedOrRefused()
    {
        using var session = TinyModels.Open(withReference: false);
        FuzzCampaign.Run(new FuzzTarget(
            "mask", HardeningPaths.CorpusFiles("images").Where(f => Path.GetFileName(f) == "mask.png").ToList(), PngMutator.Mutate,
            path => AddAsReference(session, path),
            e => e is UinoArgumentException, nameof(UinoArgumentException))
        {
            CiIterations = 1500,
            MessageNamesFile = false,   // the coverage checks see a buffer, not the file
        });
    }

    /// <summary>Loads <paramref name="path"/> as a mask and adds it with a gray image of its size, then forgets it.</summary>
    private static void AddAsReference(UinoSession session, string path)
    {
        using var mask = ImageInput.LoadMask(path, "reference mask");
        var rgb = new byte[mask.Width * mask.Height * 3];
        Array.Fill(rgb, (byte)128);
        session.AddReference(new PixelBuffer(rgb, mask.Width, mask.Height, mask.Width * 3, PixelFormat.Rgb8), ImageInput.Bytes(mask));
        session.ClearReferences();
    }
}
