namespace Uino.Training.Data.Synthetic;

/// <summary>
/// Look-alike distractors for training scenes. A target's <see cref="NearClasses"/> are the pool classes that share
/// one of its two cues: the <see cref="PerCue"/> classes of <em>other</em> pattern families whose colours are closest to
/// its own (only the texture tells them apart), and the <see cref="PerCue"/> classes of its <em>own</em> family whose
/// colours are closest while still clearly different (only the colours tell them apart). Novel episodes hold such
/// pairs often (the 12 novel classes use 3 palettes and 8 families); a pool of drawn classes rarely puts them side by
/// side. Each distractor of a training scene is a look-alike with <see cref="Chance"/>.
/// </summary>
public sealed record HardDistractors(IReadOnlySet<int> NearClasses, float Chance)
{
    /// <summary>Look-alikes kept per cue (same colours, same pattern).</summary>
    public const int PerCue = 3;

    /// <summary>Least palette distance of a same-family look-alike: twice the least distance that keeps a drawn
    /// class apart from a catalog class (<see cref="ExtraClasses.MinCatalogDistance"/>, per colour).</summary>
    public const float MinSameFamilyDistance = 2 * ExtraClasses.MinCatalogDistance;

    /// <summary>For every class of <paramref name="pool"/>, its look-alikes in the pool (see the type).</summary>
    public static IReadOnlyDictionary<int, IReadOnlySet<int>> LookAlikes(IReadOnlyList<int> pool)
    {
        var classes = pool.Distinct().Select(SyntheticClass.Get).ToArray();
        var result = new Dictionary<int, IReadOnlySet<int>>(classes.Length);
        foreach (var c in classes)
        {
            var byColour = classes.Where(o => o.Family != c.Family);
            var byPattern = classes.Where(o => o.Family == c.Family && o.Id != c.Id && PaletteDistance(c, o) >= MinSameFamilyDistance);
            result[c.Id] = Closest(c, byColour).Concat(Closest(c, byPattern)).ToHashSet();
        }
        return result;
    }

    private static IEnumerable<int> Closest(SyntheticClass c, IEnumerable<SyntheticClass> others) =>
        others.OrderBy(o => PaletteDistance(c, o)).ThenBy(o => o.Id).Take(PerCue).Select(o => o.Id);

    /// <summary>Distance between two classes' colour pairs, ignoring their order.</summary>
    public static float PaletteDistance(SyntheticClass a, SyntheticClass b) => MathF.Min(
        ExtraClasses.Distance(a.Primary, b.Primary) + ExtraClasses.Distance(a.Secondary, b.Secondary),
        ExtraClasses.Distance(a.Primary, b.Secondary) + ExtraClasses.Distance(a.Secondary, b.Primary));
}
