using System.Globalization;
using TorchSharp.Modules;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// The resumable state of a trainer (stage 1 or 2): trainable weights under <c>model.*</c>, the AdamW moments, the
/// step and a fingerprint of the run's settings, in one safetensors file written atomically.
/// </summary>
internal static class TrainingCheckpoint
{
    /// <summary>Metadata key naming the trainer that wrote the file ("fss", "distill").</summary>
    public const string KindKey = "uino.checkpoint";
    /// <summary>Prefix of the trainable weights' keys.</summary>
    public const string ModelPrefix = "model.";

    public static void Save(string path, string kind, long step, string fingerprint,
                            IReadOnlyList<(string Name, Parameter Param)> trainable, AdamW optim)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, p) in trainable) tensors[ModelPrefix + name] = p;
        foreach (var (k, v) in optim.State()) tensors[k] = v;
        SafeTensors.Save(path, tensors, new Dictionary<string, string>
        {
            [KindKey] = kind,
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["fingerprint"] = fingerprint,
        });
    }

    /// <summary>
    /// Restores weights and optimizer state from <paramref name="path"/> when it exists and returns its step
    /// (0 when there is nothing to resume). A checkpoint of other settings is refused with <paramref name="mismatch"/>.
    /// </summary>
    public static long Resume(string path, string fingerprint, IReadOnlyList<(string Name, Parameter Param)> trainable,
                              AdamW optim, string mismatch)
    {
        if (!File.Exists(path)) return 0;
        var header = SafeTensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue("fingerprint", out var fp) || fp != fingerprint)
            throw new CheckpointException($"'{path}' {mismatch}");
        long step = long.Parse(header.Metadata["step"], CultureInfo.InvariantCulture);
        var tensors = SafeTensors.Load(path);
        try
        {
            using (no_grad())
                foreach (var (name, p) in trainable) p.copy_(tensors[ModelPrefix + name]);
            optim.LoadState(tensors, step);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        return step;
    }
}
