using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NUnit.Framework;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;


/// <summary>Fixture locations and exact (bit-level) comparison of tensor dictionaries.</summary>
internal static class CheckpointFixtures
{
    public static string PthFolder => System.IO.Path.Combine(TestPaths.FixtureRoot, "pth");

    /// <summary>Every fixture .pth that has a weights.safetensors twin (the malicious one has none).</summary>
    public static IEnumerable<string> PthNames() =>
        Directory.Exists(PthFolder)
            ? Directory.GetFiles(PthFolder, "*.pth").Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
                       .Where(n => System.IO.File.Exists(WeightsOf(n))).Order(StringComparer.Ordinal)
            : [];

    /// <summary>Every safetensors file of every fixture folder.</summary>
    public static IEnumerable<string> SafetensorsFiles() =>
        Directory.Exists(TestPaths.FixtureRoot)
            ? Directory.GetDirectories(TestPaths.FixtureRoot).SelectMany(d => Directory.GetFiles(d, "*.safetensors"))
                       .Select(f => System.IO.Path.GetRelativePath(TestPaths.FixtureRoot, f)).Order(StringComparer.Ordinal)
            : [];

    public static string WeightsOf(string name) => System.IO.Path.Combine(TestPaths.FixtureRoot, name, "weights.safetensors");

    /// <summary>Same names, and for each the same dtype, shape and bytes.</summary>
    public static void AssertIdentical(IReadOnlyDictionary<string, Tensor> actual, IReadOnlyDictionary<string, Tensor> expected, string what)
    {
        Assert.That(actual.Keys.Order(StringComparer.Ordinal), Is.EqualTo(expected.Keys.Order(StringComparer.Ordinal)), $"{what}: names");
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.That(a.dtype, Is.EqualTo(e.dtype), $"{what}: dtype of {name}");
            Assert.That(a.shape, Is.EqualTo(e.shape), $"{what}: shape of {name}");
            using var ac = a.contiguous();
            using var ec = e.contiguous();
            Assert.That(ac.bytes.SequenceEqual(ec.bytes), Is.True, $"{what}: bytes of {name}");
        }
    }

    public static void DisposeAll(IReadOnlyDictionary<string, Tensor>? tensors)
    {
        if (tensors != null) foreach (var t in tensors.Values) t.Dispose();
    }
}

/// <summary>One tensor of a hand-made .pth: a view (size, stride, offset) of the storage with key <see cref="Key"/>.</summary>
internal sealed record PthTensor(string Name, string StorageType, string Key, long StorageNumel, long[] Size, long[] Stride, long Offset = 0);

/// <summary>
/// Writes zip-format torch.save files byte by byte (protocol-2 pickle, as torch.save writes) so tests can cover
/// dtypes, views, shared storages, wrappers and corruptions the fixtures do not have, without Python.
/// </summary>
internal static class TorchZipWriter
{
    public static void Write(string path, IReadOnlyList<PthTensor> tensors, IReadOnlyDictionary<string, byte[]> storages,
                             string? wrapper = null, string archive = "archive")
    {
        var p = new MemoryStream();
        p.Write([0x80, 0x02]);
        if (wrapper != null)
        {
            p.WriteByte((byte)'}'); p.WriteByte((byte)'(');
            Str(p, "epoch"); Int(p, 7);
            Str(p, wrapper);
        }
        p.WriteByte((byte)'}'); p.WriteByte((byte)'(');
        foreach (var t in tensors)
        {
            Str(p, t.Name);
            Global(p, "torch._utils", "_rebuild_tensor_v2");
            p.WriteByte((byte)'(');
            p.WriteByte((byte)'('); Str(p, "storage"); Global(p, "torch", t.StorageType); Str(p, t.Key); Str(p, "cpu"); Int(p, t.StorageNumel); p.WriteByte((byte)'t');
            p.WriteByte((byte)'Q');
            Int(p, t.Offset);
            Tuple(p, t.Size);
            Tuple(p, t.Stride);
            p.WriteByte(0x89);
            Global(p, "collections", "OrderedDict"); p.WriteByte((byte)')'); p.WriteByte((byte)'R');
            p.WriteByte((byte)'t');
            p.WriteByte((byte)'R');
        }
        p.WriteByte((byte)'u');
        if (wrapper != null) p.WriteByte((byte)'u');
        p.WriteByte((byte)'.');

        using var fs = new FileStream(path, FileMode.Create);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        Entry(zip, $"{archive}/data.pkl", p.ToArray());
        Entry(zip, $"{archive}/byteorder", "little"u8.ToArray());
        foreach (var (key, bytes) in storages) Entry(zip, $"{archive}/data/{key}", bytes);
        Entry(zip, $"{archive}/version", "3\n"u8.ToArray());
    }

    /// <summary>The bytes of a contiguous CPU tensor, as torch.save stores a storage.</summary>
    public static byte[] BytesOf(Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }

    private static void Entry(ZipArchive zip, string name, byte[] bytes)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(bytes);
    }

    private static void Str(Stream p, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        p.WriteByte((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, b.Length);
        p.Write(len);
        p.Write(b);
    }

    private static void Int(Stream p, long v)
    {
        p.WriteByte((byte)'J');
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, checked((int)v));
        p.Write(b);
    }

    private static void Tuple(Stream p, long[] values)
    {
        p.WriteByte((byte)'(');
        foreach (var v in values) Int(p, v);
        p.WriteByte((byte)'t');
    }

    private static void Global(Stream p, string module, string name) =>
        p.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));
}
