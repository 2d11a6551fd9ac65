namespace Uino.Checkpoints;

/// <summary>
/// Compares the names and shapes a checkpoint has with those something expects (a module, an architecture), so
/// every caller reports the same three kinds of problem the same way, all at once rather than one per attempt.
/// </summary>
internal sealed class KeyComparison
{
    public required IReadOnlyList<string> Missing { get; init; }
    public required IReadOnlyList<string> Unexpected { get; init; }
    public required IReadOnlyList<string> Mismatched { get; init; }

    public static KeyComparison Compare(IReadOnlyDictionary<string, long[]> actual, IReadOnlyDictionary<string, long[]> expected,
                                        string namePrefix = "")
    {
        return new KeyComparison
        {
            Missing = expected.Keys.Where(k => !actual.ContainsKey(k)).Order(StringComparer.Ordinal).Select(k => namePrefix + k).ToList(),
            Unexpected = actual.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal).Select(k => namePrefix + k).ToList(),
            Mismatched = expected.Where(kv => actual.TryGetValue(kv.Key, out var a) && !a.SequenceEqual(kv.Value))
                                 .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                                 .Select(kv => $"{namePrefix}{kv.Key}: checkpoint {Shape(actual[kv.Key])}, expected {Shape(kv.Value)}")
                                 .ToList(),
        };
    }

    /// <summary>The problems to report: shape mismatches always; missing and unexpected keys only when strict.</summary>
    public List<string> Problems(bool strict)
    {
        var problems = new List<string>();
        if (Mismatched.Count > 0) problems.Add($"{Mismatched.Count} shape mismatch(es): {Describe(Mismatched)}");
        if (strict && Missing.Count > 0) problems.Add($"{Missing.Count} missing key(s): {Describe(Missing)}");
        if (strict && Unexpected.Count > 0) problems.Add($"{Unexpected.Count} unexpected key(s): {Describe(Unexpected)}");
        return problems;
    }

    public static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>Lists up to <paramref name="max"/> items; a full ViT-H mismatch would otherwise be pages long.</summary>
    public static string Describe(IReadOnlyList<string> items, int max = 12) =>
        items.Count <= max ? string.Join(", ", items) : string.Join(", ", items.Take(max)) + $", … ({items.Count - max} more)";
}
