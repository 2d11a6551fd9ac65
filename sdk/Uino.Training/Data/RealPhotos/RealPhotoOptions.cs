namespace Uino.Training.Data.RealPhotos;

/// <summary>How the real-photo dataset draws its episodes; every member has a default.</summary>
public sealed record RealPhotoOptions
{
    /// <summary>Train split: the share of instance-level (copy-paste, "same object in another frame") episodes; the
    /// rest are class-level pairs (two photos of one class). Val is always class-level.</summary>
    public double InstanceFraction { get; init; } = 0.6;

    /// <summary>Instance episodes: the chance that the first support keeps the object in its own photo (real boundary)
    /// while the query (and any other support) pastes it elsewhere.</summary>
    public double KeepOriginalChance { get; init; } = 0.3;

    /// <summary>A garment class counts in a photo when it covers at least this fraction of it.</summary>
    public double MinGarmentFraction { get; init; } = 0.015;

    /// <summary>A class-level class needs at least this many photos (so that a 5-shot episode has distinct images).</summary>
    public int MinImagesPerClass { get; init; } = 8;

    /// <summary>Pasted target's area as a fraction of the picture, drawn uniformly in [min, max].</summary>
    public double MinObjectArea { get; init; } = 0.10;
    public double MaxObjectArea { get; init; } = 0.60;

    /// <summary>Pasted layers are rotated uniformly in ±this many degrees (and mirrored with chance 0.5).</summary>
    public double MaxRotationDegrees { get; init; } = 20;

    /// <summary>Distractors per pasted picture: 0..this, uniformly.</summary>
    public int MaxDistractors { get; init; } = 2;

    /// <summary>The chance that a distractor is another instance of the target's class (labelled background).</summary>
    public double SameClassDistractorChance { get; init; } = 0.5;

    /// <summary>The chance that a pasted picture gets an occluder over part of the target.</summary>
    public double OccluderChance { get; init; } = 0.3;

    /// <summary>The chance that a background is an unlabelled photo (ImageNet sample, BSDS500) rather than a labelled
    /// one whose own object then is a distractor.</summary>
    public double UnlabelledBackgroundChance { get; init; } = 0.7;

    /// <summary>Long side of a composite picture in pixels (the photos are at most 400).</summary>
    public int CanvasSize { get; init; } = 400;

    /// <summary>Throws <see cref="DatasetException"/> on an out-of-range value.</summary>
    public void Validate()
    {
        static void Chance(double v, string name)
        {
            if (!(v >= 0 && v <= 1)) throw new DatasetException($"real: {name} {v} is out of range; expected a chance in [0, 1]");
        }
        Chance(InstanceFraction, "instance fraction");
        Chance(KeepOriginalChance, "keep-original chance");
        Chance(SameClassDistractorChance, "same-class distractor chance");
        Chance(OccluderChance, "occluder chance");
        Chance(UnlabelledBackgroundChance, "unlabelled background chance");
        if (!(MinGarmentFraction >= 0 && MinGarmentFraction < 1)) throw new DatasetException($"real: minimum garment fraction {MinGarmentFraction} is out of range [0, 1)");
        if (MinImagesPerClass < 2) throw new DatasetException($"real: minimum images per class {MinImagesPerClass} must be at least 2");
        if (!(MinObjectArea > 0 && MinObjectArea <= MaxObjectArea && MaxObjectArea < 1))
            throw new DatasetException($"real: object area range [{MinObjectArea}, {MaxObjectArea}] must satisfy 0 < min <= max < 1");
        if (!(MaxRotationDegrees >= 0 && MaxRotationDegrees <= 180)) throw new DatasetException($"real: rotation {MaxRotationDegrees} is out of range [0, 180]");
        if (MaxDistractors < 0 || MaxDistractors > 8) throw new DatasetException($"real: distractors {MaxDistractors} is out of range 0..8");
        if (CanvasSize < 32) throw new DatasetException($"real: canvas size {CanvasSize} must be at least 32");
    }
}
