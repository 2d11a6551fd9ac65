using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Named architectures (e.g. <c>dinov2_vits14</c>, <c>sam_vit_h</c>) and the tensor names and shapes their official
/// checkpoints must have, so a checkpoint can be checked before it is converted or loaded. Architectures are
/// registered by the code that defines the modules; the table of shapes is produced on demand (building a module
/// to read its shapes can be costly, and most runs never validate).
/// </summary>
public static class ArchitectureCatalog
{
    private static readonly ConcurrentDictionary<string, Func<IReadOnlyDictionary<string, long[]>>> Entries =
        new(StringComparer.Ordinal);

    static ArchitectureCatalog() => OfficialArchitectures.EnsureRegistered();

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => Entries.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Registers (or replaces) <paramref name="name"/> with a function producing its expected name → shape table.</summary>
    public static void Register(string name, Func<IReadOnlyDictionary<string, long[]>> expectedShapes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(expectedShapes);
        Entries[name] = expectedShapes;
    }

    /// <summary>Finds the expected name → shape table of <paramref name="name"/>.</summary>
    public static bool TryGet(string name, out Func<IReadOnlyDictionary<string, long[]>> expectedShapes) =>
        Entries.TryGetValue(name, out expectedShapes!);

    /// <summary>
    /// Checks that <paramref name="tensors"/> have exactly the names and shapes of architecture <paramref name="name"/>.
    /// </summary>
    /// <param name="name">A registered architecture name.</param>
    /// <param name="tensors">The checkpoint's tensors.</param>
    /// <param name="source">What the tensors came from, for the error message (usually a file path).</param>
    /// <exception cref="CheckpointException">The name is unknown (the message lists the known ones), or the tensors
    /// do not fit (the message lists every missing key, unexpected key and shape mismatch).</exception>
    public static void Validate(string name, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        if (!TryGet(name, out var expectedShapes))
        {
            var known = Names;
            throw new CheckpointException($"Unknown architecture '{name}'; known: " +
                                          (known.Count == 0 ? "none registered" : string.Join(", ", known)) + ".");
        }
        var expected = expectedShapes();
        var comparison = KeyComparison.Compare(tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape), expected);
        var problems = comparison.Problems(strict: true);
        if (problems.Count > 0)
            throw new CheckpointException($"Checkpoint '{source}' does not match architecture '{name}': {string.Join("; ", problems)}.");
    }
}
