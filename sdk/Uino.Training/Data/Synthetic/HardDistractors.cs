namespace Uino.Training.Data.Synthetic;

/// <summary>
/// Look-alike distractors for training scenes: a target's <see cref="NearClasses"/> are the pool classes of another
/// pattern family whose two colours are closest to its own, so telling them apart takes the texture, not the colour.
/// The novel split puts such pairs in most episodes (its 12 classes use 3 palettes, 4 families each), while a base pool
/// of drawn classes almost never does; each distractor of a training scene is a look-alike with <see cref="Chance"/>.
/// </summary>
public sealed record HardDistractors(IReadOnlySet<int> NearClasses, float Chance)
{
    /// <summary>How many look-alikes each class keeps.</summary>
    public const int NearCount = 6;

    /// <summary>
    /// For every class of <paramref name="pool"/>, its <see cref="NearCount"/> nearest pool classes of another family by
    /// palette distance (the smaller sum of the two colour distances over both pairings of the colours).
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlySet<int>> NearestByPalette(IReadOnlyList<int> pool)
    {
        var classes = pool.Distinct().Select(SyntheticClass.Get).ToArray();
        var result = new Dictionary<int, IReadOnlySet<int>>(classes.Length);
        foreach (var c in classes)
        {
            result[c.Id] = classes
                .Where(o => o.Family != c.Family)
                .OrderBy(o => PaletteDistance(c, o)).ThenBy(o => o.Id)
                .Take(NearCount)
                .Select(o => o.Id)
                .ToHashSet();
        }
        return result;
    }

    /// <summary>Distance between two classes' colour pairs, ignoring their order.</summary>
    public static float PaletteDistance(SyntheticClass a, SyntheticClass b) => MathF.Min(
        ExtraClasses.Distance(a.Primary, b.Primary) + ExtraClasses.Distance(a.Secondary, b.Secondary),
        ExtraClasses.Distance(a.Primary, b.Secondary) + ExtraClasses.Distance(a.Secondary, b.Primary));
}
