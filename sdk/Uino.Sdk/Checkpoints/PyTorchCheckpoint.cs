using System.IO.Compression;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Reads PyTorch <c>.pth</c> state dicts in the zip format <c>torch.save</c> has written since PyTorch 1.6 (the format of
/// the official DINOv2 and SAM checkpoints) without running any pickled code: the pickle is interpreted by a
/// restricted machine that accepts only tensors, their storages and plain containers, as
/// <c>torch.load(weights_only=True)</c> does. A checkpoint that wraps its state dict under <c>"state_dict"</c> or
/// <c>"model"</c> is unwrapped. Tensors keep their stored dtype (fp16/bf16 stay fp16/bf16).
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>Keys under which training scripts commonly nest the state dict, in the order they are tried.</summary>
    private static readonly string[] WrapperKeys = ["state_dict", "model"];

    /// <summary>The first bytes of a pre-1.6 ("legacy") torch.save file: a pickled magic number.</summary>
    private static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    private const long MaxPickleBytes = 256L * 1024 * 1024;

    /// <summary>Loads the state dict of <paramref name="path"/> onto the CPU, name → tensor.</summary>
    /// <exception cref="CheckpointException">The file is missing, not a zip-format torch.save file, corrupt, or
    /// references anything but tensors and plain containers (the message names the refused global).</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = CheckpointPaths.OpenRead(path);
        CheckFormat(stream, path);
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw Bad(path, $"its zip structure is damaged (truncated?): {e.Message}", e); }
        using (zip)
        {
            try { return new Reader(zip, path).Read(); }
            catch (InvalidDataException e) { throw Bad(path, $"a zip entry is damaged: {e.Message}", e); }
            catch (EndOfStreamException e) { throw Bad(path, "a zip entry ends early (truncated?)", e); }
            catch (IOException e) { throw Bad(path, $"reading failed: {e.Message}", e); }
        }
    }

    private static void CheckFormat(FileStream stream, string path)
    {
        var head = new byte[LegacyMagic.Length];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (n == 0) throw Bad(path, "the file is empty");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
        if (n == LegacyMagic.Length && head.AsSpan().SequenceEqual(LegacyMagic))
            throw Bad(path, "it is in the legacy (pre-1.6, non-zip) torch.save format, which Uino does not read; " +
                            "re-save it with a current PyTorch (torch.save(torch.load(f), g)) or convert it to safetensors");
        throw Bad(path, "it is not a zip archive (a .pth must be written by torch.save, PyTorch 1.6 or later)");
    }

    internal static CheckpointException Bad(string path, string what, Exception? inner = null) =>
        inner is null ? new($"'{path}' is not a valid PyTorch checkpoint: {what}.")
                      : new($"'{path}' is not a valid PyTorch checkpoint: {what}.", inner);

    /// <summary>A storage named by a persistent id: its element type, zip entry key and element count.</summary>
    private sealed record StorageRef(ScalarType Type, int ElementSize, string Key, long Numel);

    /// <summary>One load: the zip, its storages read so far and every tensor built, so failures dispose them all.</summary>
    private sealed class Reader(ZipArchive zip, string path)
    {
        private static readonly Dictionary<string, (ScalarType Type, int Size)> StorageTypes = new()
        {
            ["FloatStorage"] = (ScalarType.Float32, 4), ["DoubleStorage"] = (ScalarType.Float64, 8),
            ["HalfStorage"] = (ScalarType.Float16, 2), ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
            ["LongStorage"] = (ScalarType.Int64, 8), ["IntStorage"] = (ScalarType.Int32, 4),
            ["ShortStorage"] = (ScalarType.Int16, 2), ["CharStorage"] = (ScalarType.Int8, 1),
            ["ByteStorage"] = (ScalarType.Byte, 1), ["BoolStorage"] = (ScalarType.Bool, 1),
        };

        private static readonly HashSet<string> Functions =
        [
            "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        ];

        private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
        private readonly HashSet<string> _storagesHandedOut = new(StringComparer.Ordinal);
        private readonly List<Tensor> _built = new();
        private string _prefix = "";

        public Dictionary<string, Tensor> Read()
        {
            try
            {
                var pickle = FindPickle();
                var root = new RestrictedUnpickler(pickle, path, IsAllowed, Reduce, PersistentLoad).Load();
                var result = ToStateDict(root);
                var kept = new HashSet<Tensor>(result.Values, ReferenceEqualityComparer.Instance);
                foreach (var t in _built) if (!kept.Contains(t)) t.Dispose(); // e.g. optimizer state beside "model"
                return result;
            }
            catch
            {
                foreach (var t in _built) t.Dispose();
                throw;
            }
            finally
            {
                foreach (var s in _storages.Values) s.Dispose();
            }
        }

        private byte[] FindPickle()
        {
            // torch.save names every entry "<archive name>/...", the archive name being the file's stem at save time.
            var entry = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                                        && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length)
                        ?? throw Bad(path, "the zip has no '<name>/data.pkl' entry, so it was not written by torch.save");
            _prefix = entry.FullName[..^"data.pkl".Length];
            var order = zip.GetEntry(_prefix + "byteorder");
            if (order != null)
            {
                using var r = new StreamReader(order.Open(), Encoding.ASCII);
                var text = r.ReadToEnd().Trim();
                if (text != "little") throw Bad(path, $"its tensors are stored in '{text}' byte order; only little-endian is supported");
            }
            if (entry.Length > MaxPickleBytes) throw Bad(path, $"its data.pkl claims {entry.Length} bytes (limit {MaxPickleBytes})");
            var bytes = new byte[entry.Length];
            using var s = entry.Open();
            s.ReadExactly(bytes);
            return bytes;
        }

        private static bool IsAllowed(PickleGlobal g) =>
            Functions.Contains(g.ToString()) || (g.Module == "torch" && StorageTypes.ContainsKey(g.Name));

        private object? PersistentLoad(object? pid)
        {
            // torch.save's persistent id for a storage: ('storage', storage_type, key, location, numel).
            if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal type
                || t[2] is not string key || t[4] is not long numel || numel < 0)
                throw Bad(path, $"a persistent id is not a ('storage', type, key, location, numel) tuple");
            // The type is an allowed global, but not necessarily a storage (found by fuzzing: a rebuild function here).
            if (type.Module != "torch" || !StorageTypes.TryGetValue(type.Name, out var info))
                throw Bad(path, $"a persistent id names {type} as its storage type, which is not a torch storage type");
            return new StorageRef(info.Type, info.Size, key, numel);
        }

        private object? Reduce(PickleGlobal f, object?[] args)
        {
            switch (f.ToString())
            {
                case "collections.OrderedDict" when args.Length == 0:
                    return new OrderedDictionary<object, object?>();
                case "torch._utils._rebuild_tensor_v2" when args.Length >= 4:
                case "torch._utils._rebuild_tensor" when args.Length == 4:
                    return Rebuild(args[0], args[1], args[2], args[3]);
                case "torch._utils._rebuild_parameter" when args.Length == 3 && args[0] is Tensor:
                case "torch._utils._rebuild_parameter_with_state" when args.Length == 4 && args[0] is Tensor:
                    return args[0]; // a Parameter's data; requires_grad and hooks do not matter for weights
                default:
                    throw Bad(path, $"it calls {f} with {args.Length} argument(s), which this loader does not support");
            }
        }

        private Tensor Rebuild(object? storageArg, object? offsetArg, object? sizeArg, object? strideArg)
        {
            if (storageArg is not StorageRef storage) throw Bad(path, "a tensor is rebuilt from something that is not a storage");
            if (offsetArg is not long offset || offset < 0) throw Bad(path, "a tensor has an invalid storage offset");
            var size = Longs(sizeArg, "size");
            var stride = Longs(strideArg, "stride");
            if (size.Length != stride.Length) throw Bad(path, $"a tensor has {size.Length} sizes but {stride.Length} strides");
            if (size.Any(s => s < 0) || stride.Any(s => s < 0)) throw Bad(path, "a tensor has a negative size or stride");
            long numel = 1;
            long last = offset; // the last element the view touches
            try
            {
                for (int i = 0; i < size.Length; i++)
                {
                    numel = checked(numel * size[i]);
                    if (size[i] > 0) last = checked(last + (size[i] - 1) * stride[i]);
                }
            }
            catch (OverflowException) { throw Bad(path, "a tensor's size overflows"); }
            if (numel == 0) return Track(empty(size, storage.Type));
            // A view may be far larger than its storage (stride 0 repeats one element): bound what the copy allocates.
            CheckTensorBytes(numel, storage.ElementSize, $"a tensor view [{string.Join(", ", size)}] of storage '{storage.Key}'");
            if (last >= storage.Numel)
                throw Bad(path, $"a tensor view [{string.Join(", ", size)}] at offset {offset} reaches element {last} of storage '{storage.Key}', which has {storage.Numel}");

            var data = StorageData(storage);
            bool contiguous = IsContiguous(size, stride);
            // The common case: the tensor is its whole storage. Hand the storage over rather than copy it, which
            // halves peak memory on multi-GB checkpoints; a second tensor on the same storage gets its own copy.
            if (contiguous && offset == 0 && numel == storage.Numel && _storagesHandedOut.Add(storage.Key))
                return Track(data.view(size));
            using var view = data.as_strided(size, stride, offset);
            var copy = empty(size, storage.Type);
            copy.copy_(view);
            return Track(copy);
        }

        private Tensor StorageData(StorageRef s)
        {
            if (_storages.TryGetValue(s.Key, out var cached))
            {
                if (cached.dtype != s.Type) throw Bad(path, $"storage '{s.Key}' is used with two dtypes");
                return cached;
            }
            var entry = zip.GetEntry($"{_prefix}data/{s.Key}") ?? throw Bad(path, $"the data of storage '{s.Key}' is missing");
            long bytes;
            try { bytes = checked(s.Numel * s.ElementSize); }
            catch (OverflowException) { throw Bad(path, $"storage '{s.Key}' is too large"); }
            if (entry.Length != bytes)
                throw Bad(path, $"storage '{s.Key}' should hold {s.Numel} {s.Type} elements ({bytes} bytes) but its entry has {entry.Length}");
            CheckTensorBytes(s.Numel, s.ElementSize, $"storage '{s.Key}'");
            var t = empty(s.Numel, s.Type);
            try
            {
                using var stream = entry.Open();
                stream.ReadExactly(t.bytes); // the tensor's own memory: no intermediate buffer
            }
            catch { t.Dispose(); throw; }
            _storages[s.Key] = t;
            return t;
        }

        private void CheckTensorBytes(long numel, int elementSize, string what)
        {
            long limit = UinoLimits.MaxTensorBytes;
            if (numel > limit / elementSize)
                throw new CheckpointException($"'{path}': {what} needs {numel} × {elementSize} bytes, more than UinoLimits.MaxTensorBytes ({limit}).");
        }

        private static bool IsContiguous(long[] size, long[] stride)
        {
            long expected = 1;
            for (int i = size.Length - 1; i >= 0; i--)
            {
                if (size[i] != 1 && stride[i] != expected) return false;
                expected *= size[i];
            }
            return true;
        }

        private long[] Longs(object? v, string what) =>
            v is object?[] items && items.All(i => i is long) ? items.Select(i => (long)i!).ToArray()
                : throw Bad(path, $"a tensor's {what} is not a tuple of integers");

        private Tensor Track(Tensor t)
        {
            _built.Add(t);
            return t;
        }

        private Dictionary<string, Tensor> ToStateDict(object? root)
        {
            var dict = root as OrderedDictionary<object, object?>
                       ?? throw Bad(path, $"it holds a {RestrictedUnpickler.Describe(root)}, not a dict of tensors");
            for (int depth = 0; depth < 4 && !dict.Values.All(v => v is Tensor); depth++)
            {
                var inner = WrapperKeys.Select(k => dict.TryGetValue(k, out var v) ? v : null)
                                       .OfType<OrderedDictionary<object, object?>>().FirstOrDefault();
                if (inner is null) break;
                dict = inner;
            }
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (key, value) in dict)
            {
                if (key is not string name) throw Bad(path, $"its state dict has a non-string key ({key})");
                if (value is not Tensor t)
                    throw Bad(path, $"entry '{name}' is a {RestrictedUnpickler.Describe(value)}, not a tensor " +
                                    $"(a state dict is expected, possibly under {string.Join(" or ", WrapperKeys.Select(k => $"'{k}'"))})");
                result[name] = t;
            }
            return result;
        }
    }
}
