using System.Buffers.Binary;
using NUnit.Framework;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Hardening.Support;

namespace Uino.Hardening.Fuzz;

/// <summary>Every failure the fuzzers found, as a named test of the fixed behaviour (inputs in Corpus/regressions).</summary>
public class RegressionTests
{
    /// <summary>
    /// Found by the safetensors and training-checkpoint campaigns: one flipped bit in a tensor name made the header
    /// invalid UTF-8, and System.Text.Json threw InvalidOperationException ("Cannot transcode invalid UTF-8") when the
    /// name was read. Fixed: SafeTensors checks the header is UTF-8 first.
    /// </summary>
    [Test]
    public void SafeTensorsHeaderThatIsNotUtf8IsRefusedAsCorrupt()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(HardeningPaths.CorpusFiles("checkpoints").First(f => f.EndsWith(".safetensors")));
        int name = Array.IndexOf(bytes, (byte)'c', 8);                  // "cls_token": the first name in the header
        bytes[name] = 0xE1;                                             // a UTF-8 lead byte without its continuation
        var path = folder.File("not-utf8.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));
        Assert.That(e!.Message, Does.Contain("not-utf8.safetensors").And.Contain("not valid UTF-8"));
    }

    /// <summary>
    /// Found by the image campaign: an interlaced PNG whose IHDR claims more pixels than its data holds (the corpus
    /// 24×16 image relabelled 100000×8, CRCs fixed) never returned from ImageSharp 2.1.13's decoder. Fixed: interlaced
    /// PNGs have their data length checked before decoding. Also checked at 1000×8, the smallest size seen hanging.
    /// </summary>
    [TestCase("interlaced-png-relabelled-1000x8-hang.png", 0, 0)]
    [TestCase("interlaced-png-relabelled-1000x8-hang.png", 1000, 8)]
    public void InterlacedPngWithLessDataThanItsHeaderSaysIsRefusedPromptly(string file, int width, int height)
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(HardeningPaths.Corpus, "regressions", "image", file));
        if (width > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
            PngMutator.FixCrcs(bytes);
        }
        var path = folder.File("relabelled.png");
        File.WriteAllBytes(path, bytes);
        var load = Task.Run(() => Assert.Throws<UinoArgumentException>(() => ImageInput.LoadRgb(path, "frame")));
        Assert.That(load.Wait(TimeSpan.FromSeconds(30)), Is.True, "the loader returned (it used to hang)");
        Assert.That(load.Result!.Message, Does.Contain("relabelled.png").And.Contain("interlaced PNG"));
    }

    /// <summary>The fix refuses only short data: the committed interlaced seed still decodes to its pixels.</summary>
    [Test]
    public void CompleteInterlacedPngStillDecodes()
    {
        using var interlaced = ImageInput.LoadRgb(Path.Combine(HardeningPaths.Corpus, "images", "interlaced.png"), "frame");
        using var plain = ImageInput.LoadRgb(Path.Combine(HardeningPaths.Corpus, "images", "rgb.png"), "frame");
        Assert.That(ImageInput.Bytes(interlaced).ToArray(), Is.EqualTo(ImageInput.Bytes(plain).ToArray()));
    }
}
