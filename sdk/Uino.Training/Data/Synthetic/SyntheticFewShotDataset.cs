namespace Uino.Training.Data.Synthetic;

/// <summary>
/// The procedural few-shot benchmark ("synthetic"): <see cref="SyntheticClass.Count"/> texture classes split into
/// <see cref="FoldCount"/> folds COCO-20i style, novel classes of fold f being the ids with <c>id % 4 == f</c> and
/// base classes the rest. Ids are <c>6 * family + palette</c>, so every fold's novel set spans all 8 pattern families
/// and its novel classes are unseen (family, palette) combinations of patterns and colours the base set contains.
/// Episodes are generated on the fly: distractors come from the same split's classes, so an episode can only be
/// solved by matching what the support shows, not by saliency. A training split may add <c>extraClasses</c> drawn
/// classes (<see cref="SyntheticClass.IsExtra"/>) to its base pool; the novel split is always the catalog's.
/// </summary>
public sealed class SyntheticFewShotDataset : IFewShotDataset
{
    public const int FoldCount = 4;

    /// <summary>
    /// Nominal images per class reported by <see cref="ImagesPerClass"/>: scenes are generated on demand from 64-bit
    /// seeds, so the real supply is unbounded; 1000 is only a virtual count for code that sizes epochs by it.
    /// </summary>
    public const int NominalImagesPerClass = 1000;

    private readonly ulong _seed;
    private readonly int[] _classes;

    /// <param name="fold">0..3.</param>
    /// <param name="split">Train = base classes, Val = novel classes.</param>
    /// <param name="imageSize">Side of the square scenes in pixels.</param>
    /// <param name="seed">Salts every scene seed, so two datasets with different seeds draw different scenes
    /// from the same <see cref="Random"/> state; the classes' appearances do not depend on it.</param>
    /// <param name="extraClasses">Train split only: extra base classes (ids <see cref="SyntheticClass.Count"/> ..
    /// Count + extraClasses − 1) added to the fold's catalog base classes; they are also the distractor pool.</param>
    /// <param name="hardDistractors">Train split only: the chance that a distractor is one of the target's look-alikes
    /// (<see cref="HardDistractors"/>) rather than any pool class; 0 leaves scenes as they are.</param>
    public SyntheticFewShotDataset(int fold, FewShotSplit split, int imageSize = SyntheticScene.DefaultSize, int seed = 0, int extraClasses = 0,
        float hardDistractors = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fold, FoldCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 16);
        ArgumentOutOfRangeException.ThrowIfNegative(extraClasses);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(extraClasses, SyntheticClass.MaxExtraClasses);
        if (extraClasses > 0 && split == FewShotSplit.Val)
            throw new ArgumentException("extra synthetic classes are training (base) classes; the novel split is the catalog's", nameof(extraClasses));
        if (!(hardDistractors >= 0f && hardDistractors <= 1f))
            throw new ArgumentOutOfRangeException(nameof(hardDistractors), hardDistractors, "the hard-distractor chance must be in [0, 1]");
        if (hardDistractors > 0f && split == FewShotSplit.Val)
            throw new ArgumentException("hard distractors are a training option; the novel split keeps the benchmark's episodes", nameof(hardDistractors));
        Fold = fold;
        Split = split;
        ImageSize = imageSize;
        _seed = (ulong)(uint)seed;
        _classes = split == FewShotSplit.Val
            ? NovelClasses(fold)
            : [.. BaseClasses(fold), .. Enumerable.Range(SyntheticClass.Count, extraClasses)];
        ImagesPerClass = _classes.ToDictionary(c => c, _ => NominalImagesPerClass);
        HardDistractorChance = hardDistractors;
        if (hardDistractors > 0f) _nearClasses = HardDistractors.LookAlikes(_classes);
    }

    private readonly IReadOnlyDictionary<int, IReadOnlySet<int>>? _nearClasses;

    /// <summary>The chance that a scene's distractor is a look-alike of its target (0 unless asked for).</summary>
    public float HardDistractorChance { get; }

    public string Name => "synthetic";
    public int Fold { get; }
    public FewShotSplit Split { get; }
    public int ImageSize { get; }
    public IReadOnlyList<int> Classes => _classes;
    public IReadOnlyDictionary<int, int> ImagesPerClass { get; }

    /// <summary>Novel (evaluation) classes of a fold: every 4th id starting at the fold.</summary>
    public static int[] NovelClasses(int fold) =>
        Enumerable.Range(0, SyntheticClass.Count).Where(c => c % FoldCount == fold).ToArray();

    /// <summary>Base (training) classes of a fold: all ids that are not novel in it.</summary>
    public static int[] BaseClasses(int fold) =>
        Enumerable.Range(0, SyntheticClass.Count).Where(c => c % FoldCount != fold).ToArray();

    /// <summary>
    /// Picks a class uniformly from <see cref="Classes"/>, then draws independent 64-bit seeds for the query and the
    /// <paramref name="shots"/> supports (all distinct) and generates their scenes. Deterministic given the state of
    /// <paramref name="random"/> and this dataset's seed; <paramref name="index"/> only appears in the image names.
    /// </summary>
    public Episode Sample(Random random, int shots, int index)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(shots, 1);
        int cls = _classes[random.Next(_classes.Length)];
        var seeds = new HashSet<ulong>();
        var ordered = new List<ulong>(shots + 1);
        while (ordered.Count < shots + 1)
        {
            ulong drawn = SceneRandom.Mix(_seed, (ulong)random.NextInt64());
            if (seeds.Add(drawn)) ordered.Add(drawn);
        }
        var query = Scene(cls, ordered[0], $"query/e{index}");
        var support = new List<LabelledImage>(shots);
        for (int k = 0; k < shots; k++) support.Add(Scene(cls, ordered[k + 1], $"support{k}/e{index}"));
        return new Episode(cls, support, query);
    }

    /// <summary>One scene of this dataset's split (distractors drawn from <see cref="Classes"/>).</summary>
    public LabelledImage Scene(int classId, ulong seed, string? role = null)
    {
        var cls = SyntheticClass.Get(classId);
        string name = $"synthetic/f{Fold}/{cls.Name}/{seed:x16}" + (role is null ? "" : $"/{role}");
        var hard = _nearClasses is not null && _nearClasses.TryGetValue(classId, out var near)
            ? new HardDistractors(near, HardDistractorChance)
            : null;
        return SyntheticScene.Generate(classId, seed, _classes, ImageSize, ImageSize, name, hard).Labelled;
    }
}
