using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets}}</c> (plus optional <c>__metadata__</c>), then the raw little-endian data.
/// Every header field is validated before any tensor is allocated, so a truncated or lying file is a
/// <see cref="CheckpointException"/>, never a crash or an oversized allocation.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (the format's own reference implementation uses 100 MB).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>One tensor's entry in the header.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    /// <summary>The validated header of a safetensors file.</summary>
    public sealed record Header(IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);

    /// <summary>Reads and validates the header of <paramref name="path"/> without reading tensor data.</summary>
    public static Header ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return ReadHeaderCore(stream, path);
    }

    /// <summary>Reads and validates the header of a seekable stream (e.g. an embedded resource) without reading tensor data;
    /// <paramref name="source"/> names it in errors.</summary>
    public static Header ReadHeader(Stream stream, string source)
    {
        if (!stream.CanSeek) throw new ArgumentException("The safetensors stream must be seekable.", nameof(stream));
        return ReadHeaderCore(stream, source);
    }

    /// <summary>Loads every tensor of <paramref name="path"/> onto the CPU.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = OpenRead(path);
        return Load(stream, path).Tensors;
    }

    /// <summary>
    /// Loads every tensor (onto the CPU) and the metadata from a seekable stream, e.g. an embedded resource;
    /// <paramref name="source"/> names it in errors.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(Stream stream, string source)
    {
        if (!stream.CanSeek) throw new ArgumentException("The safetensors stream must be seekable.", nameof(stream));
        var path = source;
        var header = ReadHeaderCore(stream, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in header.Entries)
                result[e.Name] = ReadTensor(stream, header, e, path);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return (result, header.Metadata);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (sorted by name, contiguous CPU copies) to <paramref name="path"/>
    /// through a temporary file renamed into place, so a reader never sees a half-written file.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
                            IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        // Everything that can be wrong with the tensors is found here, before AtomicFile creates anything.
        foreach (var name in names)
        {
            if (name == "__metadata__")
                throw new CheckpointException($"Cannot save '{path}': '__metadata__' is reserved by the safetensors format and cannot name a tensor.");
            var t = tensors[name];
            var dtype = DTypeName(t.dtype)
                        ?? throw new CheckpointException($"Cannot save '{path}': tensor '{name}' has dtype {t.dtype}, which safetensors does not support " +
                                                         $"(supported: {string.Join(", ", DTypes.Values.Select(v => v.Type))}).");
            long bytes = t.numel() * DTypes[dtype].Size;
            header[name] = new { dtype, shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8; // keep the data 8-byte aligned, padding with spaces as the spec allows
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var name in names)
            {
                using var c = tensors[name].detach().cpu().contiguous();
                stream.Write(c.bytes);
            }
        });
    }

    private static FileStream OpenRead(string path) => CheckpointPaths.OpenRead(path);

    private static string? DTypeName(ScalarType type)
    {
        foreach (var (name, info) in DTypes)
            if (info.Type == type) return name;
        return null;
    }

    private static Header ReadHeaderCore(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength == 0) throw Corrupt(path, "the file is empty");
        var start = new byte[(int)Math.Min(fileLength, 16)];
        stream.ReadExactly(start);
        if (fileLength < 8)
            throw NotSafeTensors(path, start, $"it has {fileLength} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(start);
        // Every safetensors header is a JSON object, so byte 8 is '{'. A file whose first 8 bytes claim more than the
        // limit or the file holds is another kind of file (an image, a PyTorch checkpoint, text…), unless it does start
        // like a header: then it is a safetensors file cut short (an interrupted download or copy).
        bool startsLikeHeader = fileLength > 8 && start[8] == (byte)'{';
        if (headerLength > (ulong)MaxHeaderBytes)
            throw NotSafeTensors(path, start, $"its first 8 bytes claim a {headerLength}-byte header, over the format's limit of {MaxHeaderBytes}");
        if (8 + (long)headerLength > fileLength)
            throw startsLikeHeader
                ? Truncated(path, $"its header claims {headerLength} bytes but the file has only {fileLength - 8} after the length")
                : NotSafeTensors(path, start, $"its first 8 bytes claim a {headerLength}-byte header but the file has only {fileLength - 8} after them");
        stream.Position = 8;
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        // The format requires UTF-8; System.Text.Json checks it only when a name is read, with an InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Corrupt(path, "its header is not valid UTF-8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw Corrupt(path, $"its header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Corrupt(path, "its header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                // JSON allows a repeated key; here it would silently drop one tensor, so it is corruption.
                if (!seen.Add(prop.Name)) throw Corrupt(path, $"its header names '{prop.Name}' twice");
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Corrupt(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ParseEntry(prop, path));
            }
            // The data offsets must tile the data region: no gaps, no overlaps, nothing past the end.
            long expected = 0;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin != expected)
                    throw Corrupt(path, $"tensor '{e.Name}' starts at byte {e.Begin} of the data, expected {expected} (gap or overlap)");
                expected = e.End;
            }
            if (expected != dataLength)
                throw expected > dataLength
                    ? Truncated(path, $"the tensors need {expected} data bytes but the file holds {dataLength}")
                    : Corrupt(path, $"the file holds {dataLength - expected} data bytes no tensor claims");
            return new Header(entries, metadata, dataStart);
        }
    }

    private static Entry ParseEntry(JsonProperty prop, string path)
    {
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Corrupt(path, $"entry '{prop.Name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Corrupt(path, $"tensor '{prop.Name}' has no dtype");
        var dtype = dt.GetString()!;
        if (!DTypes.TryGetValue(dtype, out var info))
            throw Corrupt(path, $"tensor '{prop.Name}' has unsupported dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Corrupt(path, $"tensor '{prop.Name}' has no shape");
        var shape = new long[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0)
                throw Corrupt(path, $"tensor '{prop.Name}' has an invalid dimension in its shape");
            shape[i++] = n;
            try { numel = checked(numel * n); }
            catch (OverflowException) { throw Corrupt(path, $"tensor '{prop.Name}' has a shape whose size overflows"); }
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Corrupt(path, $"tensor '{prop.Name}' has no data_offsets pair");
        if (!off[0].TryGetInt64(out var begin) || !off[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Corrupt(path, $"tensor '{prop.Name}' has invalid data_offsets");
        long bytes;
        try { bytes = checked(numel * info.Size); }
        catch (OverflowException) { throw Corrupt(path, $"tensor '{prop.Name}' is too large"); }
        long limit = UinoLimits.MaxTensorBytes;
        if (bytes > limit)
            throw new CheckpointException($"'{path}': tensor '{prop.Name}' ({dtype} [{string.Join(", ", shape)}]) has {bytes} bytes, more than UinoLimits.MaxTensorBytes ({limit}).");
        if (end - begin != bytes)
            throw Corrupt(path, $"tensor '{prop.Name}' ({dtype} [{string.Join(", ", shape)}]) needs {bytes} bytes but its offsets span {end - begin}");
        return new Entry(prop.Name, dtype, shape, begin, end);
    }

    private static Tensor ReadTensor(Stream stream, Header header, Entry e, string path)
    {
        var t = empty(e.Shape, DTypes[e.DType].Type);
        try
        {
            stream.Seek(header.DataStart + e.Begin, SeekOrigin.Begin);
            long length = e.End - e.Begin;
            if (length > 0)
            {
                // Tensor.bytes exposes the tensor's own storage: read straight into it, no intermediate copy.
                var span = t.bytes;
                stream.ReadExactly(span);
            }
            return t;
        }
        catch (EndOfStreamException)
        {
            t.Dispose();
            throw Truncated(path, $"the data of tensor '{e.Name}' ends early");
        }
    }

    private static CheckpointException Corrupt(string path, string what) =>
        new($"'{path}' is not a valid safetensors file: {what}.");

    private static CheckpointException Truncated(string path, string what) =>
        new($"'{path}' is truncated ({what}): download or copy it again.");

    private static CheckpointException NotSafeTensors(string path, ReadOnlySpan<byte> start, string what) =>
        new($"'{path}' is not a safetensors file ({Kind(start) ?? what}).") { NotThisFormat = Kind(start) ?? what };

    /// <summary>What a file that is not safetensors looks like, by its first bytes; null when unrecognised.</summary>
    internal static string? Kind(ReadOnlySpan<byte> start)
    {
        static bool Starts(ReadOnlySpan<byte> s, ReadOnlySpan<byte> magic) => s.StartsWith(magic);
        if (Starts(start, [0x89, (byte)'P', (byte)'N', (byte)'G'])) return "it is a PNG image";
        if (Starts(start, [0xFF, 0xD8, 0xFF])) return "it is a JPEG image";
        if (Starts(start, "GIF8"u8)) return "it is a GIF image";
        if (Starts(start, "RIFF"u8)) return "it is a RIFF file (WebP image, AVI video?)";
        if (Starts(start, "PK\u0003\u0004"u8)) return "it is a zip archive, e.g. a PyTorch .pth checkpoint";
        if (start.Length >= 2 && start[0] == 0x80 && start[1] <= 5) return "it is a Python pickle, e.g. an old PyTorch checkpoint";
        if (start.Length >= 8 && start[4..8].SequenceEqual("ftyp"u8)) return "it is an MP4/MOV video";
        bool text = true;
        foreach (var b in start) text &= b is (>= 0x20 and < 0x7F) or (byte)'\n' or (byte)'\r' or (byte)'\t';
        if (text && start.Length >= 8) return "it looks like a text file";
        return null;
    }
}
