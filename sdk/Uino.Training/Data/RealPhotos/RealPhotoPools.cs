namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// Which photos a split may use, fixed at construction and read-only after. Train: every labelled photo whose
/// object class is not held out (held-out butterflies and pets are left out entirely; clothing photos stay, their
/// held-out garments labelled ignore) as pasted objects, distractors, occluders and backgrounds, plus the unlabelled
/// photos; class-level classes are the non-held-out ones. Val: the held-out classes' photos only, class-level.
/// </summary>
internal sealed class RealPhotoPools
{
    /// <summary>Class-level classes of the split, ascending, and the photos holding each.</summary>
    public IReadOnlyDictionary<int, RealPhoto[]> ClassPhotos { get; }
    /// <summary>Class-level classes by group (drawn group first, so the ~30 garment classes do not crowd out the rest).</summary>
    public IReadOnlyList<int[]> ClassGroups { get; }
    /// <summary>Pasteable objects by group (butterfly, pet, horse, person); empty for Val.</summary>
    public IReadOnlyList<RealPhoto[]> ObjectGroups { get; }
    /// <summary>Pasteable objects by class.</summary>
    public IReadOnlyDictionary<int, RealPhoto[]> ObjectsByClass { get; }
    /// <summary>Labelled photos fit to be a background (objects minus cut-outs on flat backgrounds).</summary>
    public IReadOnlyList<RealPhoto> LabelledBackgrounds { get; }
    public IReadOnlyList<RealPhoto> UnlabelledBackgrounds { get; }
    /// <summary>CCP label ids labelled ignore in this split's pictures (the held-out garments for Train; none for Val).</summary>
    public IReadOnlySet<int> IgnoredGarments { get; }

    public RealPhotoPools(RealPhotoCatalog catalog, FewShotSplit split, RealPhotoOptions options)
    {
        bool train = split == FewShotSplit.Train;
        var heldOut = RealPhotoClasses.HeldOut;
        IgnoredGarments = train
            ? heldOut.Where(c => c >= RealPhotoClasses.GarmentBase).Select(c => c - RealPhotoClasses.GarmentBase).ToHashSet()
            : new HashSet<int>();
        var usable = catalog.Labelled.Where(p => train ? !RealPhotoClasses.IsHeldOut(p.ClassId) : true).ToArray();
        var classes = new SortedDictionary<int, List<RealPhoto>>();
        void Add(int cls, RealPhoto p)
        {
            if (RealPhotoClasses.IsHeldOut(cls) != !train) return;
            if (!classes.TryGetValue(cls, out var list)) classes[cls] = list = [];
            list.Add(p);
        }
        foreach (var p in usable)
        {
            Add(p.ClassId, p);
            if (p.Garments is { } g)
                foreach (var (gid, fraction) in g.OrderBy(kv => kv.Key))
                    if (fraction >= options.MinGarmentFraction && catalog.GarmentNames.ContainsKey(gid)) Add(gid, p);
        }
        ClassPhotos = classes.Where(kv => kv.Value.Count >= options.MinImagesPerClass)
            .ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        if (ClassPhotos.Count == 0) throw new DatasetException($"real: no class has {options.MinImagesPerClass} photos in the {split} split under '{catalog.Root}'");
        ClassGroups = ClassPhotos.Keys.Order().GroupBy(RealPhotoClasses.GroupOf).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        if (train)
        {
            var objects = usable.Where(p => p.ClassId > 0).ToArray();
            ObjectGroups = objects.GroupBy(p => RealPhotoClasses.GroupOf(p.ClassId)).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
            ObjectsByClass = objects.GroupBy(p => p.ClassId).ToDictionary(g => g.Key, g => g.ToArray());
            LabelledBackgrounds = objects.Where(p => !p.UniformBackground).ToArray();
            UnlabelledBackgrounds = catalog.Unlabelled;
        }
        else
        {
            ObjectGroups = [];
            ObjectsByClass = new Dictionary<int, RealPhoto[]>();
            LabelledBackgrounds = [];
            UnlabelledBackgrounds = [];
        }
    }
}
