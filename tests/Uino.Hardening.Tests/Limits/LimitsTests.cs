using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NUnit.Framework;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Hardening.Fuzz;
using Uino.Hardening.Support;

namespace Uino.Hardening.Limits;

/// <summary>
/// <see cref="UinoLimits"/>: decompression bombs refused by their declared size before decoding, oversized buffers,
/// files and tensors refused before allocation, each limit configurable and each error naming the limit.
/// </summary>
[NonParallelizable]
public class LimitsTests
{
    [TearDown]
    public void RestoreDefaults() => UinoLimits.Reset();

    private static string Seed(string name) => Path.Combine(HardeningPaths.Corpus, "images", name);

    /// <summary>A valid PNG (CRCs fixed) whose header declares <paramref name="width"/>×<paramref name="height"/>.</summary>
    private static string Relabelled(TempFolder folder, int width, int height)
    {
        var bytes = File.ReadAllBytes(Seed("rgb.png"));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        PngMutator.FixCrcs(bytes);
        var path = folder.File($"declares-{width}x{height}.png");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void PngDeclaringTenGigapixelsIsRefusedByItsHeaderWithoutDecoding()
    {
        using var folder = new TempFolder();
        var path = Relabelled(folder, 100_000, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UinoArgumentException>(() => ImageInput.LoadRgb(path, "frame"));
        long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.That(e!.Message, Does.Contain("100000×100000").And.Contain("UinoLimits.MaxImagePixels").And.Contain("was not decoded"));
        Assert.That(used, Is.LessThan(4 << 20), "bytes allocated while refusing (a decode would need 30 GB)");
    }

    [Test]
    public void ImageLimitIsConfigurableAndExact()
    {
        UinoLimits.MaxImagePixels = 24 * 16 - 1;                        // the seed is 24×16
        var e = Assert.Throws<UinoArgumentException>(() => ImageInput.LoadRgb(Seed("rgb.png"), "reference image"));
        Assert.That(e!.Message, Does.Contain("24×16 = 384 pixels").And.Contain("(383)"));
        UinoLimits.MaxImagePixels = 24 * 16;
        using var image = ImageInput.LoadRgb(Seed("rgb.png"), "reference image");
        Assert.That((image.Width, image.Height), Is.EqualTo((24, 16)));
    }

    [Test]
    public void EveryImageFormatIsCheckedBeforeDecoding()
    {
        UinoLimits.MaxImagePixels = 100;
        foreach (var seed in HardeningPaths.CorpusFiles("images"))
        {
            var e = Assert.Throws<UinoArgumentException>(() => ImageInput.LoadMask(seed, "reference mask"), Path.GetFileName(seed));
            Assert.That(e!.Message, Does.Contain("UinoLimits.MaxImagePixels"), Path.GetFileName(seed));
        }
    }

    [Test]
    public void RawFrameOverTheLimitIsRefusedBeforeAnyWork()
    {
        using var session = TinyModels.Open();
        UinoLimits.MaxImagePixels = 32 * 32;
        var pixels = new byte[33 * 32 * 3];
        var e = Assert.Throws<UinoArgumentException>(() => session.Segment(new PixelBuffer(pixels, 33, 32, 99, PixelFormat.Rgb8)));
        Assert.That(e!.Message, Does.Contain("33×32 = 1056 pixels").And.Contain("UinoLimits.MaxImagePixels (1024)"));
        Assert.That(session.Segment(new PixelBuffer(pixels, 32, 32, 96, PixelFormat.Rgb8)).Width, Is.EqualTo(32));
    }

    [Test]
    public void CheckpointFileOverTheLimitIsRefusedBeforeReading()
    {
        UinoLimits.MaxCheckpointBytes = 1000;
        var file = HardeningPaths.CorpusFiles("checkpoints").First(f => f.EndsWith(".pth"));
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(file));
        Assert.That(e!.Message, Does.Contain(Path.GetFileName(file)).And.Contain("UinoLimits.MaxCheckpointBytes (1000)"));
        var session = Assert.Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = TinyModels.Full }));
        Assert.That(session!.Message, Does.Contain("MaxCheckpointBytes"));
    }

    [Test]
    public void SafeTensorsHeaderClaimingATerabyteTensorIsRefusedBeforeAllocating()
    {
        using var folder = new TempFolder();
        var header = Encoding.UTF8.GetBytes("{\"big\":{\"dtype\":\"F32\",\"shape\":[1048576,262144],\"data_offsets\":[0,1099511627776]}}");
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, header.Length);
        header.CopyTo(bytes, 8);
        var path = folder.File("terabyte.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Load(path));
        Assert.That(e!.Message, Does.Contain("tensor 'big'").And.Contain("1099511627776 bytes").And.Contain("UinoLimits.MaxTensorBytes"));
    }

    [Test]
    public void TensorLimitIsConfigurable()
    {
        var file = HardeningPaths.CorpusFiles("checkpoints").First(f => f.EndsWith(".safetensors"));
        UinoLimits.MaxTensorBytes = 255;                                 // the seed's largest tensor has 256 bytes
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Load(file))!.Message, Does.Contain("more than UinoLimits.MaxTensorBytes (255)"));
        var pth = HardeningPaths.CorpusFiles("checkpoints").First(f => f.EndsWith(".pth"));
        Assert.That(Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(pth))!.Message, Does.Contain("UinoLimits.MaxTensorBytes (255)"));
        UinoLimits.MaxTensorBytes = 256;
        foreach (var t in SafeTensors.Load(file).Values) t.Dispose();
    }

    /// <summary>
    /// A stride-0 view repeats one stored element as often as its size says: the corpus .pth's first tensor relabelled
    /// [1048576, 1048576, 64] with strides 0 would have made the loader allocate and fill 256 TB.
    /// </summary>
    [Test]
    public void PthViewMuchLargerThanItsStorageIsRefusedBeforeAllocating()
    {
        using var folder = new TempFolder();
        var seed = HardeningPaths.CorpusFiles("checkpoints").First(f => f.EndsWith(".pth"));
        var path = folder.File("stride-zero.pth");
        RewritePickle(seed, path, pickle =>
        {
            // cls_token: size (1, 1, 64) and stride (64, 64, 1), both as BININT1 triples, become 2^20 × 2^20 × 64 with strides 0.
            var size = new byte[] { (byte)'K', 1, (byte)'K', 1, (byte)'K', 64, 0x87 };
            var stride = new byte[] { (byte)'K', 64, (byte)'K', 64, (byte)'K', 1, 0x87 };
            var hugeSize = new byte[] { (byte)'J', 0, 0, 16, 0, (byte)'J', 0, 0, 16, 0, (byte)'K', 64, 0x87 };
            var zeroStride = new byte[] { (byte)'K', 0, (byte)'K', 0, (byte)'K', 0, 0x87 };
            return Replace(Replace(pickle, size, hugeSize), stride, zeroStride);
        });
        var e = Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(path));
        Assert.That(e!.Message, Does.Contain("stride-zero.pth").And.Contain("[1048576, 1048576, 64]").And.Contain("UinoLimits.MaxTensorBytes"));
    }

    [TestCase(0L)]
    [TestCase(-5L)]
    [TestCase(UinoLimits.HardMaxImagePixels + 1)]
    public void OutOfRangeLimitsAreRefused(long value)
    {
        var e = Assert.Throws<UinoArgumentException>(() => UinoLimits.MaxImagePixels = value);
        Assert.That(e!.Message, Does.Contain("UinoLimits.MaxImagePixels").And.Contain(value.ToString()));
        Assert.That(UinoLimits.MaxImagePixels, Is.EqualTo(UinoLimits.DefaultMaxImagePixels), "a refused value changes nothing");
        Assert.Throws<UinoArgumentException>(() => UinoLimits.MaxTensorBytes = UinoLimits.HardMaxTensorBytes + 1);
        Assert.Throws<UinoArgumentException>(() => UinoLimits.MaxCheckpointBytes = 0);
    }

    private static byte[] Replace(byte[] data, byte[] find, byte[] with)
    {
        int at = data.AsSpan().IndexOf(find);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), "pattern present in the seed's pickle");
        return [.. data.AsSpan(0, at), .. with, .. data.AsSpan(at + find.Length)];
    }

    private static void RewritePickle(string source, string target, Func<byte[], byte[]> edit)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var from = entry.Open();
            var bytes = new MemoryStream();
            from.CopyTo(bytes);
            var data = entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) ? edit(bytes.ToArray()) : bytes.ToArray();
            using var to = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            to.Write(data);
        }
    }
}
