using System.Globalization;
using TorchSharp.Modules;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// The resumable state of a trainer (stage 1 or 2): trainable weights and the network's buffers under <c>model.*</c>,
/// the AdamW moments, the step and a fingerprint of the run's settings, in one safetensors file written atomically.
/// The buffers (e.g. the random Fourier matrices of SAM's prompt encoder and of the SVP's sine encoding) are not
/// trained, but the trained weights are only meaningful with them: a later stage that starts from the checkpoint
/// (<c>--init</c>) must get the same ones, not fresh random ones of another seed.
/// </summary>
internal static class TrainingCheckpoint
{
    /// <summary>Metadata key naming the trainer that wrote the file ("fss", "distill").</summary>
    public const string KindKey = "uino.checkpoint";
    /// <summary>Prefix of the trainable weights' keys.</summary>
    public const string ModelPrefix = "model.";

    public static void Save(string path, string kind, long step, string fingerprint,
                            IReadOnlyList<(string Name, Parameter Param)> trainable, AdamW optim,
                            IEnumerable<(string Name, Tensor Buffer)> buffers)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, p) in trainable) tensors[ModelPrefix + name] = p;
        foreach (var (name, b) in buffers) tensors[ModelPrefix + name] = b;
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
        if (!header.Metadata.TryGetValue("step", out var stepText)
            || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new CheckpointException($"'{path}' is not a training checkpoint: its 'step' metadata is missing or not a non-negative integer.");
        var tensors = SafeTensors.Load(path);
        try
        {
            // Every tensor is checked before the first copy: a damaged checkpoint leaves the run's state untouched.
            var expected = trainable.Select(t => ("model." + t.Name, (Tensor)t.Param)).Concat(optim.State().Select(kv => (kv.Key, kv.Value)));
            var problems = expected.Select(e => Problem(tensors, e.Item1, e.Item2)).OfType<string>().ToList();
            if (problems.Count > 0)
                throw new CheckpointException($"'{path}' does not fit this run: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : "")}.");
            using (no_grad())
                foreach (var (name, p) in trainable) p.copy_(tensors[ModelPrefix + name]);
            optim.LoadState(tensors, step);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        return step;
    }

    private static string? Problem(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor target) =>
        !tensors.TryGetValue(name, out var t) ? $"'{name}' is missing"
        : !t.shape.SequenceEqual(target.shape) ? $"'{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", target.shape)}]"
        : t.dtype != target.dtype ? $"'{name}' is {t.dtype}, expected {target.dtype}"
        : t.is_floating_point() && !StateDict.AllFinite(t) ? $"'{name}' holds NaN or Inf (a diverged run, or a damaged file)"
        : null;
}
