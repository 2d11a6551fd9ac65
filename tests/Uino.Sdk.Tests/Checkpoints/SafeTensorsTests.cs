using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

[TestFixture]
public class SafeTensorsTests
{
    private static IEnumerable<string> Files() => CheckpointFixtures.SafetensorsFiles();

    [Test]
    public void TheFixturesHaveSafetensorsFiles() =>
        Assert.That(Files().ToList(), Has.Count.GreaterThanOrEqualTo(8), $"safetensors files under {TestPaths.FixtureRoot}");

    [TestCaseSource(nameof(Files))]
    public void FixtureRoundTripsBitIdentically(string relative)
    {
        using var dir = new TempDir();
        var original = SafeTensors.Load(Path.Combine(TestPaths.FixtureRoot, relative));
        Dictionary<string, Tensor>? back = null;
        try
        {
            var copy = dir.File("copy.safetensors");
            SafeTensors.Save(copy, original);
            back = SafeTensors.Load(copy);
            CheckpointFixtures.AssertIdentical(back, original, relative);
            Assert.That(SafeTensors.ReadHeader(copy).Entries.Select(e => e.Name), Is.EquivalentTo(original.Keys));
        }
        finally { CheckpointFixtures.DisposeAll(original); CheckpointFixtures.DisposeAll(back); }
    }

    [Test]
    public void MetadataRoundTrips()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        using var t = ones(2);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t }, new Dictionary<string, string> { ["format"] = "pt" });
        Assert.That(SafeTensors.ReadHeader(path).Metadata["format"], Is.EqualTo("pt"));
    }

    // ---- hand-made corrupt files: each must be a CheckpointException that says what is wrong ----

    private static string Raw(TempDir dir, string json, int dataBytes, long? claimedHeaderLength = null)
    {
        var path = dir.File("bad.safetensors");
        var header = Encoding.UTF8.GetBytes(json);
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, claimedHeaderLength ?? header.Length);
        fs.Write(len);
        fs.Write(header);
        fs.Write(new byte[dataBytes]);
        return path;
    }

    private static void AssertCorrupt(string path, string expectedFragment)
    {
        var e = Assert.Throws<CheckpointException>(() => CheckpointFixtures.DisposeAll(SafeTensors.Load(path)))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain(expectedFragment));
        Assert.That(() => SafeTensors.ReadHeader(path), Throws.TypeOf<CheckpointException>());
    }

    [Test]
    public void HeaderLongerThanTheFile()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, "{}", 0, claimedHeaderLength: 1000), "header claims 1000 bytes");
    }

    [Test]
    public void HugeHeaderLengthIsRefusedBeforeAllocating()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, "{}", 0, claimedHeaderLength: long.MaxValue), "not a safetensors file");
    }

    [Test]
    public void HeaderNotJson()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, "{not json", 0), "not valid JSON");
    }

    [Test]
    public void HeaderNotAnObject()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, "[1, 2]", 0), "not a JSON object");
    }

    [Test]
    public void OffsetsPastTheEnd()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "need 16 data bytes but the file holds 8");
    }

    [Test]
    public void OverlappingOffsets()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12),
                      "overlap");
    }

    [Test]
    public void GapBetweenTensors()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12),
                      "gap");
    }

    [Test]
    public void DTypeAndShapeDisagreeWithOffsets()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes but its offsets span 8");
    }

    [Test]
    public void UnknownDType()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}""", 1), "unsupported dtype 'Q7'");
    }

    [Test]
    public void NegativeDimension()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}}""", 16), "invalid dimension");
    }

    [Test]
    public void RepeatedName()
    {
        using var dir = new TempDir();
        AssertCorrupt(Raw(dir, """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2),
                      "names 'a' twice");
    }

    [Test]
    public void TruncatedData()
    {
        using var dir = new TempDir();
        var path = dir.File("t.safetensors");
        using var t = randn(16);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        AssertCorrupt(path, "truncated");
    }

    [Test]
    public void AFileOfAnotherKindIsNotASafetensorsFileAndSaysWhatItLooksLike()
    {
        using var dir = new TempDir();
        var cases = new (byte[] Bytes, string Kind)[]
        {
            ([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'], "PNG image"),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0], "JPEG image"),
            ([(byte)'P', (byte)'K', 3, 4, 20, 0, 8, 0, 0, 0, 0, 0], "PyTorch .pth"),
            (Encoding.ASCII.GetBytes("just some notes, renamed\n"), "text file"),
        };
        foreach (var (bytes, kind) in cases)
        {
            var path = dir.File("renamed.safetensors");
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<CheckpointException>(() => SafeTensors.ReadHeader(path))!;
            Assert.That(e.Message, Does.Contain(path).And.Contain("is not a safetensors file").And.Contain(kind));
            Assert.That(e.Message, Does.Not.Contain("header claims"), "not the raw length of a header that is not there");
        }
    }

    [Test]
    public void EmptyAndTinyFiles()
    {
        using var dir = new TempDir();
        var path = dir.File("e.safetensors");
        File.WriteAllBytes(path, []);
        AssertCorrupt(path, "empty");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertCorrupt(path, "fewer than the 8-byte header length");
    }

    [Test]
    public void DirectoryAndMissingPaths()
    {
        using var dir = new TempDir();
        Assert.That(() => SafeTensors.Load(dir.Path), Throws.TypeOf<CheckpointException>().With.Message.Contain("directory"));
        Assert.That(() => SafeTensors.Load(dir.File("none.safetensors")), Throws.TypeOf<CheckpointException>().With.Message.Contain("does not exist"));
    }

    // ---- Save: atomic, and clear about what it cannot write ----

    [Test]
    public void SaveCreatesMissingFolders()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "a", "b", "w.safetensors");
        using var t = arange(6, dtype: ScalarType.Int64).reshape(2, 3);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        var back = SafeTensors.Load(path);
        try { CheckpointFixtures.AssertIdentical(back, new Dictionary<string, Tensor> { ["t"] = t }, "nested"); }
        finally { CheckpointFixtures.DisposeAll(back); }
    }

    [Test]
    public void UnsupportedDTypeThrowsAndLeavesNoFile()
    {
        using var dir = new TempDir();
        var path = dir.File("c.safetensors");
        using var ok = ones(2);
        using var complex = zeros(2, dtype: ScalarType.ComplexFloat32);
        var e = Assert.Throws<CheckpointException>(() =>
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["ok"] = ok, ["z"] = complex }))!;
        Assert.That(e.Message, Does.Contain("'z'").And.Contain(path).And.Contain("ComplexFloat32"));
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty, "no output and no temporary file may remain");
    }

    [Test]
    public void FailedSaveLeavesAnExistingFileUntouched()
    {
        using var dir = new TempDir();
        var path = dir.File("keep.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        using var complex = zeros(2, dtype: ScalarType.ComplexFloat32);
        Assert.That(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["z"] = complex }), Throws.TypeOf<CheckpointException>());
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1));
    }

    [Test]
    public void ReservedMetadataNameIsRefused()
    {
        using var dir = new TempDir();
        using var t = ones(1);
        Assert.That(() => SafeTensors.Save(dir.File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = t }),
                    Throws.TypeOf<CheckpointException>().With.Message.Contain("reserved"));
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty);
    }

    [Test]
    public void SaveWritesNonContiguousTensorsByValue()
    {
        using var dir = new TempDir();
        var path = dir.File("nc.safetensors");
        using var m = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var t = m.t();
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        var back = SafeTensors.Load(path);
        try { CheckpointFixtures.AssertIdentical(back, new Dictionary<string, Tensor> { ["t"] = t }, "transposed"); }
        finally { CheckpointFixtures.DisposeAll(back); }
    }
}
