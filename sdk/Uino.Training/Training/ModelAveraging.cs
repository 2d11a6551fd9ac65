using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// <c>uino train average</c>: the uniform average of the weights of several runs fine-tuned from one model (a
/// "model soup", Wortsman et al., ICML 2022), written as a Uino model file. Averaging only makes sense for such
/// runs, so the files must share the configuration, the tensor names and shapes, and the buffers — the random
/// Fourier matrices of SAM's prompt encoder and of the SVP, drawn once and never trained: runs that differ there did
/// not start from a common model.
/// </summary>
internal static class ModelAveraging
{
    /// <summary>Averages <paramref name="inputs"/> (at least two model files) into <paramref name="output"/> (written atomically).</summary>
    public static void Average(IReadOnlyList<string> inputs, string output)
    {
        if (inputs.Count < 2) throw new ArgumentException($"give at least two model files to average, got {inputs.Count}");
        var (sum, metadata) = Read(inputs[0]);
        try
        {
            var config = UinoModelFile.ReadConfig(metadata, inputs[0]);
            HashSet<string> buffers;
            using (var meta = new UinoFss(config, META)) buffers = meta.named_buffers().Select(b => b.name).ToHashSet(StringComparer.Ordinal);
            string configJson = JsonSerializer.Serialize(config, UinoModelFile.Json);
            // Summed in float64, written back in each tensor's own dtype.
            var dtypes = sum.ToDictionary(kv => kv.Key, kv => kv.Value.dtype);
            foreach (var name in sum.Keys.Where(k => !buffers.Contains(k)).ToList())
            {
                var t = sum[name];
                sum[name] = t.to(ScalarType.Float64);
                t.Dispose();
            }
            foreach (var path in inputs.Skip(1))
            {
                var (tensors, fileMetadata) = Read(path);
                try
                {
                    if (JsonSerializer.Serialize(UinoModelFile.ReadConfig(fileMetadata, path), UinoModelFile.Json) != configJson)
                        throw new CheckpointException($"'{path}' has another model configuration than '{inputs[0]}': only runs of one model can be averaged.");
                    Accumulate(sum, tensors, buffers, path, inputs[0]);
                }
                finally { foreach (var t in tensors.Values) t.Dispose(); }
            }
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var (name, t) in sum)
                {
                    if (buffers.Contains(name)) { result[name] = t.alias(); continue; }
                    using var mean = t.Over((long)inputs.Count);
                    result[name] = mean.to(dtypes[name]);
                }
                var outMetadata = metadata.Where(kv => kv.Key.StartsWith("uino.", StringComparison.Ordinal) && kv.Key != "uino.training")
                                          .ToDictionary(kv => kv.Key, kv => kv.Value);
                outMetadata["uino.training"] = JsonSerializer.Serialize(new { average_of = inputs.ToArray() });
                SafeTensors.Save(output, result, outMetadata);
            }
            finally { foreach (var t in result.Values) t.Dispose(); }
        }
        finally { foreach (var t in sum.Values) t.Dispose(); }
    }

    /// <summary>One file's tensors and metadata, read once.</summary>
    private static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        using var stream = CheckpointPaths.OpenRead(path);
        return SafeTensors.Load(stream, path);
    }

    private static void Accumulate(Dictionary<string, Tensor> sum, Dictionary<string, Tensor> tensors, HashSet<string> buffers,
                                   string path, string first)
    {
        if (!tensors.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(sum.Keys))
            throw new CheckpointException($"'{path}' does not hold the same tensors as '{first}' (e.g. {tensors.Keys.Except(sum.Keys).Concat(sum.Keys.Except(tensors.Keys)).First()}).");
        foreach (var (name, t) in tensors)
        {
            var acc = sum[name];
            if (!t.shape.SequenceEqual(acc.shape))
                throw new CheckpointException($"'{path}': tensor '{name}' has shape [{string.Join(", ", t.shape)}], '{first}' [{string.Join(", ", acc.shape)}].");
            if (buffers.Contains(name))
            {
                if (!t.allclose(acc, rtol: 0, atol: 0))
                    throw new CheckpointException($"'{path}' and '{first}' differ in the untrained buffer '{name}': they were not fine-tuned from one model, so their average would be meaningless.");
            }
            else
            {
                using var wide = t.to(ScalarType.Float64);
                acc.add_(wide, Scalars.One);
            }
        }
    }
}
