using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Copies a flat name → tensor dictionary into a module's parameters and buffers, strictly by default:
/// every key of the module must be present with the same shape and nothing else may be there. On failure
/// nothing is copied and the error lists every missing key, unexpected key and shape mismatch.
/// </summary>
public static class StateDict
{
    /// <summary>Loads <paramref name="tensors"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The target module; its state_dict names are the keys expected.</param>
    /// <param name="tensors">Source tensors (any device and floating dtype; converted to the target's).</param>
    /// <param name="source">What the tensors came from, for the error message (usually a file path).</param>
    /// <param name="strict">When false, missing and unexpected keys are tolerated; shape mismatches never are.</param>
    /// <param name="prefix">Only keys starting with this prefix are considered, with the prefix removed.</param>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source,
                            bool strict = true, string prefix = "")
    {
        var source2 = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                             .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source2.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var unexpected = source2.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = target.Where(kv => source2.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
                               .Select(kv => $"{prefix}{kv.Key}: checkpoint [{string.Join(", ", source2[kv.Key].shape)}], model [{string.Join(", ", kv.Value.shape)}]")
                               .ToList();
        var problems = new List<string>();
        if (mismatched.Count > 0) problems.Add($"{mismatched.Count} shape mismatch(es): {Describe(mismatched)}");
        if (strict && missing.Count > 0) problems.Add($"{missing.Count} missing key(s): {Describe(missing.Select(k => prefix + k).ToList())}");
        if (strict && unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s): {Describe(unexpected.Select(k => prefix + k).ToList())}");
        if (problems.Count > 0)
            throw new CheckpointException($"Checkpoint '{source}' does not fit {module.GetType().Name}: {string.Join("; ", problems)}.");

        using var _ = no_grad();
        foreach (var (name, dest) in target)
        {
            if (!source2.TryGetValue(name, out var src)) continue;
            if (src.is_floating_point() != dest.is_floating_point())
                throw new CheckpointException($"Checkpoint '{source}': tensor '{prefix}{name}' is {src.dtype}, the model expects {dest.dtype}.");
            dest.copy_(src);
        }
    }

    private static string Describe(IReadOnlyList<string> items, int max = 12) =>
        items.Count <= max ? string.Join(", ", items) : string.Join(", ", items.Take(max)) + $", … ({items.Count - max} more)";
}
