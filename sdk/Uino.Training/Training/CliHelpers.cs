using Uino.Training.Data;
using Uino.Training.Data.Synthetic;

namespace Uino.Training.Training;

/// <summary>Shared parsing for the train and eval commands.</summary>
internal static class CliHelpers
{
    /// <summary>
    /// pascal, coco, fss1000 (need a root) or synthetic (procedural; no root). <paramref name="extraClasses"/>:
    /// synthetic training only, drawn base classes added to the catalog's (<see cref="SyntheticFewShotDataset"/>).
    /// </summary>
    /// <paramref name="instanceFraction"/>: real only, the share of instance-level copy-paste episodes (null: the default).
    public static IFewShotDataset OpenDataset(string name, string? root, int fold, FewShotSplit split, int seed = 0, int extraClasses = 0,
        float hardDistractors = 0f, double? instanceFraction = null)
    {
        bool real = name.Trim().Equals("real", StringComparison.OrdinalIgnoreCase);
        if (instanceFraction is not null && !real)
            throw new DatasetException($"--instance-fraction is for the real dataset only, not '{name}'");
        if (name.Trim().Equals("synthetic", StringComparison.OrdinalIgnoreCase))
        {
            if (fold < 0 || fold >= SyntheticFewShotDataset.FoldCount)
                throw new DatasetException($"synthetic: fold {fold} is out of range; expected 0..{SyntheticFewShotDataset.FoldCount - 1}");
            if (extraClasses < 0 || extraClasses > SyntheticClass.MaxExtraClasses)
                throw new DatasetException($"synthetic: --extra-classes {extraClasses} is out of range; expected 0..{SyntheticClass.MaxExtraClasses}");
            if (!(hardDistractors >= 0f && hardDistractors <= 1f))
                throw new DatasetException($"synthetic: --hard-distractors {hardDistractors} is out of range; expected a chance in [0, 1]");
            return new SyntheticFewShotDataset(fold, split, seed: seed, extraClasses: extraClasses, hardDistractors: hardDistractors);
        }
        if (extraClasses != 0)
            throw new DatasetException($"--extra-classes is for the synthetic dataset only, not '{name}'");
        if (hardDistractors != 0f)
            throw new DatasetException($"--hard-distractors is for the synthetic dataset only, not '{name}'");
        var options = new DatasetOptions();
        if (instanceFraction is double f) options = options with { Real = options.Real with { InstanceFraction = f } };
        return DatasetFactory.Open(name, root ?? "", fold, split, options);
    }

    /// <summary>train/base → base classes; val/test/novel → novel classes.</summary>
    public static FewShotSplit ParseSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "base" => FewShotSplit.Train,
        "novel" => FewShotSplit.Val,
        _ => DatasetFactory.ParseSplit(split),
    };

    public static UinoVariant ParseVariant(string variant) => variant.Trim().ToLowerInvariant() switch
    {
        "full" => UinoVariant.Full,
        "comp" => UinoVariant.Comp,
        "comp*" or "compstar" or "comp-star" => UinoVariant.CompStar,
        "cp4d" => UinoVariant.Cp4d,
        _ => throw new ArgumentException($"unknown variant '{variant}'; expected full, comp, comp* or cp4d"),
    };
}
