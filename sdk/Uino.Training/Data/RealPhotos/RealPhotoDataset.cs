using Uino.Training.Data.Synthetic;

namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// The real-photo training set ("real"): the shared photos with masks (<c>train/</c> of the data root; <c>dev/</c>
/// is never read). <see cref="FewShotSplit.Train"/> mixes instance-level copy-paste pairs (the same object pasted
/// into different photos: <see cref="InstanceEpisodes"/>, share <see cref="RealPhotoOptions.InstanceFraction"/>) with
/// class-level pairs (two photos of one class: <see cref="ClassEpisodes"/>), never showing a held-out class
/// (<see cref="RealPhotoClasses.HeldOut"/>). <see cref="FewShotSplit.Val"/> is class-level pairs of the held-out
/// classes only, a fixed sequence: episode <c>index</c> is of class <c>Classes[index % Classes.Count]</c> and depends
/// on <c>index</c> alone (the Random passed in is not used), so every evaluation sees the same episodes.
/// A single fold, 0. Sampling is thread-safe: the dataset holds only read-only indexes; photos are decoded per use.
/// </summary>
public sealed class RealPhotoDataset : IFewShotDataset
{
    private readonly RealPhotoPools _pools;
    private readonly InstanceEpisodes _instance;
    private readonly ClassEpisodes _class;
    private readonly int[] _classes;
    private readonly int[][] _trainGroups;

    public RealPhotoDataset(RealPhotoCatalog catalog, FewShotSplit split, RealPhotoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Options = options ?? new RealPhotoOptions();
        Options.Validate();
        Split = split;
        Catalog = catalog;
        _pools = new RealPhotoPools(catalog, split, Options);
        _instance = new InstanceEpisodes(_pools, Options);
        _class = new ClassEpisodes(_pools, Options);
        _classes = _pools.ClassPhotos.Keys.Order().ToArray();
        _trainGroups = _pools.ClassGroups.Select(g => g.ToArray()).ToArray();
        ImagesPerClass = _pools.ClassPhotos.ToDictionary(kv => kv.Key, kv => kv.Value.Length);
    }

    /// <summary>Reads the data root (<see cref="RealPhotoCatalog.Open"/>) and opens one split.</summary>
    public static RealPhotoDataset Open(string root, FewShotSplit split, RealPhotoOptions? options = null) =>
        new(RealPhotoCatalog.Open(root), split, options);

    /// <summary>Episodes of the standard Val evaluation: 100 per held-out class (the sequence is fixed by index).</summary>
    public const int StandardEpisodeCount = 600;

    public string Name => "real";
    /// <summary>Always 0: the held-out classes are one fixed set, not folds.</summary>
    public int Fold => 0;
    public FewShotSplit Split { get; }
    public RealPhotoOptions Options { get; }
    public RealPhotoCatalog Catalog { get; }
    public IReadOnlyList<int> Classes => _classes;
    /// <summary>Photos per class-level class (a garment counts where it covers ≥ <see cref="RealPhotoOptions.MinGarmentFraction"/>).</summary>
    public IReadOnlyDictionary<int, int> ImagesPerClass { get; }

    /// <summary>A readable class name: the species, breed, "horse", "person" or the garment.</summary>
    public string ClassName(int classId) => RealPhotoClasses.GroupOf(classId) switch
    {
        RealPhotoGroup.Garment => Catalog.GarmentNames.GetValueOrDefault(classId, $"garment {classId}"),
        RealPhotoGroup.Horse => "horse",
        RealPhotoGroup.Person => "person",
        RealPhotoGroup.Pet => RealPhotoClasses.PetBreeds.First(kv => kv.Value == classId).Key,
        _ => Catalog.ButterflyNames.GetValueOrDefault(classId, $"butterfly {classId}"),
    };

    /// <summary>
    /// Train: an instance episode with chance <see cref="RealPhotoOptions.InstanceFraction"/>, else a class-level one
    /// (group drawn uniformly among butterfly, pet, horse, person, garment, then a class of it). Val: the fixed
    /// class-level episode <paramref name="index"/>. Names of the images record every photo used (<see cref="RealEpisodeName"/>).
    /// </summary>
    public Episode Sample(Random random, int shots, int index)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(shots, 1);
        EpisodeSampling.CheckIndex(index);
        if (Split == FewShotSplit.Val)
        {
            var fixedRandom = new Random((int)(SceneRandom.Mix(0x7EA1_0000UL, (ulong)index) & 0x7FFFFFFF));
            return _class.Sample(fixedRandom, _classes[index % _classes.Length], shots, index);
        }
        if (random.NextDouble() < Options.InstanceFraction)
            return _instance.Sample(random, shots, index);
        var group = _trainGroups[random.Next(_trainGroups.Length)];
        return _class.Sample(random, group[random.Next(group.Length)], shots, index);
    }

    internal InstanceEpisodes Instances => _instance;
    internal RealPhotoPools Pools => _pools;
}
