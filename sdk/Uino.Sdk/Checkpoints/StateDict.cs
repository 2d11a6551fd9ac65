using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Copies a flat name → tensor dictionary into a module's parameters and buffers, strictly by default:
/// every key of the module must be present with the same shape and nothing else may be there. Every check runs
/// before the first copy, so on failure the module is unchanged and the error lists every problem at once:
/// missing keys, unexpected keys, shape mismatches, dtype-kind mismatches and non-finite values.
/// </summary>
public static class StateDict
{
    /// <summary>Loads <paramref name="tensors"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The target module; its state_dict names are the keys expected.</param>
    /// <param name="tensors">Source tensors (any device and floating dtype; converted to the target's).</param>
    /// <param name="source">What the tensors came from, for the error message (usually a file path).</param>
    /// <param name="strict">When false, missing and unexpected keys are tolerated; shape mismatches never are.</param>
    /// <param name="prefix">Only keys starting with this prefix are considered, with the prefix removed.</param>
    /// <exception cref="CheckpointException">The tensors do not fit the module; nothing was copied.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source,
                            bool strict = true, string prefix = "")
    {
        var candidates = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        var target = module.state_dict();
        var comparison = KeyComparison.Compare(candidates.ToDictionary(kv => kv.Key, kv => kv.Value.shape),
                                               target.ToDictionary(kv => kv.Key, kv => kv.Value.shape), prefix);
        var problems = comparison.Problems(strict);

        var pairs = target.Where(kv => candidates.ContainsKey(kv.Key))
                          .Select(kv => (Name: kv.Key, Dest: kv.Value, Src: candidates[kv.Key])).ToList();
        // Integer ↔ float copies would silently truncate or reinterpret (e.g. a step counter into a weight).
        var kinds = pairs.Where(p => p.Src.is_floating_point() != p.Dest.is_floating_point())
                         .Select(p => $"{prefix}{p.Name}: checkpoint {p.Src.dtype}, model {p.Dest.dtype}").ToList();
        if (kinds.Count > 0) problems.Add($"{kinds.Count} dtype mismatch(es): {KeyComparison.Describe(kinds)}");
        // A NaN or Inf weight poisons every output; better to name it now than to debug a black mask later.
        var nonFinite = pairs.Where(p => p.Src.is_floating_point() && !AllFinite(p.Src)).Select(p => prefix + p.Name).ToList();
        if (nonFinite.Count > 0) problems.Add($"{nonFinite.Count} tensor(s) with NaN or Inf values: {KeyComparison.Describe(nonFinite)}");

        if (problems.Count > 0)
            throw new CheckpointException($"Checkpoint '{source}' does not fit {module.GetType().Name}: {string.Join("; ", problems)}.");

        using var _ = no_grad();
        foreach (var (_, dest, src) in pairs) dest.copy_(src);
    }

    /// <summary>True when no element of the floating-point tensor <paramref name="t"/> is NaN or ±Inf.</summary>
    internal static bool AllFinite(Tensor t)
    {
        using var finite = t.isfinite();
        using var all = finite.all();
        return all.item<bool>();
    }
}
