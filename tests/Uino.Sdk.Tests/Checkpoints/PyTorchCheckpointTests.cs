using NUnit.Framework;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

[TestFixture]
public class PyTorchCheckpointTests
{
    private const string Marker = "/tmp/uino-pickle-was-executed";

    private static IEnumerable<string> Names() => CheckpointFixtures.PthNames();

    [Test]
    public void TheFixturesHavePthFiles() =>
        Assert.That(Names().ToList(), Has.Count.GreaterThanOrEqualTo(3), $"fixture .pth files under {CheckpointFixtures.PthFolder}");

    [TestCaseSource(nameof(Names))]
    public void FixturePthLoadsToExactlyTheSafetensorsWeights(string name)
    {
        var pth = PyTorchCheckpoint.Load(Path.Combine(CheckpointFixtures.PthFolder, name + ".pth"));
        var expected = SafeTensors.Load(CheckpointFixtures.WeightsOf(name));
        try { CheckpointFixtures.AssertIdentical(pth, expected, name); }
        finally { CheckpointFixtures.DisposeAll(pth); CheckpointFixtures.DisposeAll(expected); }
    }

    [TestCaseSource(nameof(Names))]
    public void CheckpointFileReadsBothFormats(string name)
    {
        var fromPth = CheckpointFile.Load(Path.Combine(CheckpointFixtures.PthFolder, name + ".pth"));
        var fromSafetensors = CheckpointFile.Load(CheckpointFixtures.WeightsOf(name));
        try { CheckpointFixtures.AssertIdentical(fromPth, fromSafetensors, name); }
        finally { CheckpointFixtures.DisposeAll(fromPth); CheckpointFixtures.DisposeAll(fromSafetensors); }
    }

    [Test]
    public void MaliciousPickleIsRefusedNamingTheGlobalAndRunsNothing()
    {
        File.Delete(Marker);
        var path = Path.Combine(CheckpointFixtures.PthFolder, "malicious.pth");
        Assert.That(File.Exists(path), Is.True, path);

        var e = Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(path))!;
        Assert.That(e.Message, Does.Contain("posix.system").And.Contain(path));
        var viaDispatch = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path))!;
        Assert.That(viaDispatch.Message, Does.Contain("posix.system"));
        Assert.That(File.Exists(Marker), Is.False, "the pickled os.system call ran");
    }

    [Test]
    public void LegacyTorchFormatIsRefusedAsLegacy()
    {
        using var dir = new TempDir();
        var path = dir.File("legacy.pth");
        // What torch.save(_use_new_zipfile_serialization=False) writes first: a pickled magic number, then more pickles.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.', 0x80, 0x02, (byte)'M', 0xe9, 0x03, (byte)'.']);
        var e = Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(path))!;
        Assert.That(e.Message, Does.Contain("legacy").And.Contain(path));
    }

    [Test]
    public void TruncatedZipIsACheckpointException()
    {
        using var dir = new TempDir();
        var path = dir.File("truncated.pth");
        var bytes = File.ReadAllBytes(Path.Combine(CheckpointFixtures.PthFolder, "dinov2-tiny.pth"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("zip"));
    }

    [Test]
    public void RandomBytesAreNotAZip()
    {
        using var dir = new TempDir();
        var path = dir.File("random.pth");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x13; // not 'P', so this is deterministically "not a zip"
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => PyTorchCheckpoint.Load(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("not a zip"));
    }

    [Test]
    public void RandomBytesAfterZipMagicAreADamagedZip()
    {
        using var dir = new TempDir();
        var path = dir.File("fake.pth");
        var bytes = new byte[4096];
        new Random(11).NextBytes(bytes);
        "PK\x03\x04"u8.CopyTo(bytes);
        File.WriteAllBytes(path, bytes);
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain(path));
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain(path));
    }

    [Test]
    public void EmptyFileIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.pth");
        File.WriteAllBytes(path, []);
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("empty").And.Message.Contain(path));
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("empty"));
    }

    [Test]
    public void DirectoryIsRefused()
    {
        using var dir = new TempDir();
        Assert.That(() => PyTorchCheckpoint.Load(dir.Path), Throws.TypeOf<CheckpointException>().With.Message.Contain("directory"));
        Assert.That(() => CheckpointFile.Load(dir.Path), Throws.TypeOf<CheckpointException>().With.Message.Contain("directory"));
    }

    [Test]
    public void MissingFileIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("nope.pth");
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("does not exist").And.Message.Contain(path));
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("does not exist"));
    }

    [Test]
    public void HalfAndBFloat16StayInTheirDtype()
    {
        using var dir = new TempDir();
        var path = dir.File("half.pth");
        using var h = randn(3, 4).to(ScalarType.Float16);
        using var b = randn(5).to(ScalarType.BFloat16);
        TorchZipWriter.Write(path,
            [new PthTensor("h", "HalfStorage", "0", 12, [3, 4], [4, 1]), new PthTensor("b", "BFloat16Storage", "1", 5, [5], [1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(h), ["1"] = TorchZipWriter.BytesOf(b) });
        var loaded = PyTorchCheckpoint.Load(path);
        try { CheckpointFixtures.AssertIdentical(loaded, new Dictionary<string, Tensor> { ["h"] = h, ["b"] = b }, "fp16/bf16"); }
        finally { CheckpointFixtures.DisposeAll(loaded); }
    }

    [TestCase("model")]
    [TestCase("state_dict")]
    public void WrappedStateDictIsUnwrapped(string wrapper)
    {
        using var dir = new TempDir();
        var path = dir.File("wrapped.pth");
        using var w = randn(2, 3);
        TorchZipWriter.Write(path, [new PthTensor("fc.weight", "FloatStorage", "0", 6, [2, 3], [3, 1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(w) }, wrapper);
        var loaded = PyTorchCheckpoint.Load(path);
        try { CheckpointFixtures.AssertIdentical(loaded, new Dictionary<string, Tensor> { ["fc.weight"] = w }, wrapper); }
        finally { CheckpointFixtures.DisposeAll(loaded); }
    }

    [Test]
    public void StridedViewsAndSharedStoragesAreRebuiltAsIndependentTensors()
    {
        using var dir = new TempDir();
        var path = dir.File("views.pth");
        using var storage = arange(12, dtype: ScalarType.Float32);
        // "t" is a transposed 3x2 view at offset 1; "full" is the whole storage; both share storage "0".
        TorchZipWriter.Write(path,
            [new PthTensor("t", "FloatStorage", "0", 12, [3, 2], [1, 3], 1), new PthTensor("full", "FloatStorage", "0", 12, [12], [1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(storage) });
        var loaded = PyTorchCheckpoint.Load(path);
        try
        {
            using var expected = storage.as_strided([3, 2], [1, 3], 1).contiguous();
            CheckpointFixtures.AssertIdentical(loaded, new Dictionary<string, Tensor> { ["t"] = expected, ["full"] = storage }, "views");
            loaded["full"].fill_(-1f);
            Assert.That(loaded["t"][0, 0].item<float>(), Is.EqualTo(1f), "tensors sharing a storage in the file must not alias once loaded");
        }
        finally { CheckpointFixtures.DisposeAll(loaded); }
    }

    [Test]
    public void ViewPastItsStorageIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("oob.pth");
        using var s = zeros(4);
        TorchZipWriter.Write(path, [new PthTensor("x", "FloatStorage", "0", 4, [3, 2], [2, 1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(s) });
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("reaches element 5"));
    }

    [Test]
    public void StorageEntryOfTheWrongSizeIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("short.pth");
        using var s = zeros(3);
        TorchZipWriter.Write(path, [new PthTensor("x", "FloatStorage", "0", 4, [4], [1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(s) });
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("storage '0' should hold 4"));
    }

    [Test]
    public void MissingStorageEntryIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("nostorage.pth");
        TorchZipWriter.Write(path, [new PthTensor("x", "FloatStorage", "9", 4, [4], [1])], new Dictionary<string, byte[]>());
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("storage '9' is missing"));
    }

    [Test]
    public void UnknownStorageTypeIsRefusedByName()
    {
        using var dir = new TempDir();
        var path = dir.File("complex.pth");
        using var s = zeros(8);
        TorchZipWriter.Write(path, [new PthTensor("x", "ComplexFloatStorage", "0", 4, [4], [1])],
            new Dictionary<string, byte[]> { ["0"] = TorchZipWriter.BytesOf(s) });
        Assert.That(() => PyTorchCheckpoint.Load(path), Throws.TypeOf<CheckpointException>().With.Message.Contain("torch.ComplexFloatStorage"));
    }
}
