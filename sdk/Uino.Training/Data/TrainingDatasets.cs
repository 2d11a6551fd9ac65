using Uino.Training.Data.Synthetic;

namespace Uino.Training.Data;

/// <summary>Opens a dataset as training and evaluation open it, and parses the split names they accept.</summary>
internal static class TrainingDatasets
{
    /// <summary>
    /// pascal, coco, fss1000, real (need a root) or synthetic (procedural; no root). <paramref name="extraClasses"/>:
    /// synthetic training only, drawn base classes added to the catalog's (<see cref="SyntheticFewShotDataset"/>).
    /// <paramref name="hardDistractors"/>: synthetic only, the chance of a look-alike distractor.
    /// <paramref name="instanceFraction"/>: real only, the share of instance-level copy-paste episodes (null: the default).
    /// </summary>
    public static IFewShotDataset Open(string name, string? root, int fold, FewShotSplit split, int seed = 0, int extraClasses = 0,
        float hardDistractors = 0f, double? instanceFraction = null)
    {
        bool real = name.Trim().Equals("real", StringComparison.OrdinalIgnoreCase);
        if (instanceFraction is not null && !real)
            throw new DatasetException($"the instance fraction is for the real dataset only, not '{name}'");
        if (name.Trim().Equals("synthetic", StringComparison.OrdinalIgnoreCase))
        {
            if (fold < 0 || fold >= SyntheticFewShotDataset.FoldCount)
                throw new DatasetException($"synthetic: fold {fold} is out of range; expected 0..{SyntheticFewShotDataset.FoldCount - 1}");
            if (extraClasses < 0 || extraClasses > SyntheticClass.MaxExtraClasses)
                throw new DatasetException($"synthetic: {extraClasses} extra classes is out of range; expected 0..{SyntheticClass.MaxExtraClasses}");
            if (!(hardDistractors >= 0f && hardDistractors <= 1f))
                throw new DatasetException($"synthetic: the hard-distractor chance {hardDistractors} is out of range; expected a chance in [0, 1]");
            return new SyntheticFewShotDataset(fold, split, seed: seed, extraClasses: extraClasses, hardDistractors: hardDistractors);
        }
        if (extraClasses != 0)
            throw new DatasetException($"extra classes are for the synthetic dataset only, not '{name}'");
        if (hardDistractors != 0f)
            throw new DatasetException($"hard distractors are for the synthetic dataset only, not '{name}'");
        var options = new DatasetOptions();
        if (instanceFraction is double f) options = options with { Real = options.Real with { InstanceFraction = f } };
        return DatasetFactory.Open(name, root ?? "", fold, split, options);
    }

    /// <summary>train/base → base classes; val/test/novel → novel classes. The one split parser of train, eval and dataset-info.</summary>
    public static FewShotSplit ParseSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "base" => FewShotSplit.Train,
        "novel" => FewShotSplit.Val,
        "train" or "trn" or "val" or "test" => DatasetFactory.ParseSplit(split),
        _ => throw new DatasetException($"unknown split '{split}'; expected train (or base) or val (or novel)"),
    };
}
