using Uino.Training.Data.Coco;
using Uino.Training.Data.Fss1000;
using Uino.Training.Data.Pascal;
using Uino.Training.Data.RealPhotos;

namespace Uino.Training.Data;

/// <summary>A dataset could not be opened or read: names the dataset, the file or folder, and what was expected.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message) : base(message) { }
    public DatasetException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Options shared by the real dataset loaders; every member is optional.</summary>
public sealed record DatasetOptions
{
    /// <summary>
    /// Folder holding the image/class lists the user supplies instead of the default locations:
    /// PASCAL <c>train_aug.txt</c> / <c>val.txt</c>; FSS-1000 <c>trn.txt</c> / <c>val.txt</c> / <c>test.txt</c>.
    /// </summary>
    public string? ListDirectory { get; init; }

    /// <summary>
    /// Folder where per-image class pixel counts are cached after the first scan (PASCAL: ~10k masks). Null: no cache.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// FSS-1000 only: which class list <see cref="FewShotSplit.Val"/> reads. "test" (default: the 240 benchmark classes
    /// every published FSS-1000 number uses) or "val" (the 240 model-selection classes).
    /// </summary>
    public string Fss1000EvalList { get; init; } = "test";

    /// <summary>Degree of parallelism of mask scanning. Defaults to the processor count.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The real-photo dataset's episode mix and augmentation (<see cref="RealPhotoDataset"/>).</summary>
    public RealPhotoOptions Real { get; init; } = new();
}

/// <summary>Opens the real few-shot benchmarks (PASCAL-5i, COCO-20i, FSS-1000) and the shared real-photo set (real) by name.</summary>
public static class DatasetFactory
{
    /// <summary>Dataset names accepted by <see cref="Open"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pascal", "coco", "fss1000", "real"];

    /// <summary>
    /// Episodes per fold of the standard evaluation protocol (HSNet/PFENet): 1000 for PASCAL-5i and COCO-20i;
    /// FSS-1000 evaluates every image of the test classes once as a query (HSNet: 240 classes x 10 = 2400).
    /// </summary>
    public static int StandardEpisodeCount(IFewShotDataset dataset) => dataset switch
    {
        Fss1000Dataset fss => fss.ImageCount,
        RealPhotoDataset => RealPhotoDataset.StandardEpisodeCount,
        _ => 1000,
    };

    /// <summary>Seed of the standard evaluation (HSNet's test.py fixes seed 0).</summary>
    public const int StandardEvaluationSeed = 0;

    /// <summary>Number of folds of a dataset: 4 for pascal and coco, 1 for fss1000 and real.</summary>
    public static int FoldCount(string name) => Normalise(name) switch
    {
        "pascal" or "coco" => 4,
        _ => 1,
    };

    /// <summary>
    /// Opens <paramref name="name"/> (pascal, coco, fss1000, real) under <paramref name="root"/> for one fold and split.
    /// Throws <see cref="DatasetException"/> with a one-line reason (unknown name, missing root, missing file, bad fold).
    /// </summary>
    public static IFewShotDataset Open(string name, string root, int fold, FewShotSplit split, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        var n = Normalise(name);
        if (string.IsNullOrWhiteSpace(root))
            throw new DatasetException(n == "real"
                ? "real: no data root given; the data root is the shared real-photo folder, e.g. ../shared/data"
                : "no dataset root given");
        if (!Directory.Exists(root))
            throw new DatasetException(n == "real"
                ? $"real: data root '{root}' does not exist; the data root is the shared real-photo folder (the one holding train/leeds_butterfly, train/bsds500, ...), e.g. ../shared/data"
                : $"{n}: dataset root '{root}' does not exist");
        var folds = FoldCount(n);
        if (fold < 0 || fold >= folds)
            throw new DatasetException(folds == 1
                ? $"{n}: fold {fold} is out of range; {n} has a single fold, 0"
                : $"{n}: fold {fold} is out of range; expected 0..{folds - 1}");
        return n switch
        {
            "pascal" => PascalDataset.Open(root, fold, split, options),
            "coco" => CocoDataset.Open(root, fold, split, options),
            "real" => RealPhotoDataset.Open(root, split, options.Real),
            _ => Fss1000Dataset.Open(root, split, options),
        };
    }

    /// <summary>Parses "train"/"val" (also "trn", "test" as val).</summary>
    public static FewShotSplit ParseSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "train" or "trn" => FewShotSplit.Train,
        "val" or "test" => FewShotSplit.Val,
        _ => throw new DatasetException($"unknown split '{split}'; expected train or val"),
    };

    private static string Normalise(string name)
    {
        var n = (name ?? "").Trim().ToLowerInvariant();
        return n switch
        {
            "pascal" or "pascal5i" or "pascal-5i" => "pascal",
            "coco" or "coco20i" or "coco-20i" => "coco",
            "fss1000" or "fss-1000" or "fss" => "fss1000",
            "real" or "real-photos" or "realphotos" => "real",
            _ => throw new DatasetException($"unknown dataset '{name}'; expected one of: {string.Join(", ", Names)}"),
        };
    }
}

/// <summary>Support/query picking shared by the loaders.</summary>
internal static class EpisodeSampling
{
    /// <summary>
    /// Picks <paramref name="shots"/> distinct indices in [0, <paramref name="count"/>) other than <paramref name="query"/>,
    /// drawing <c>random.Next(count)</c> and rejecting repeats (HSNet/PFENet rejection sampling).
    /// </summary>
    public static int[] PickSupports(Random random, int count, int shots, int query, string what)
    {
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "shots must be at least 1");
        var available = count - (query >= 0 && query < count ? 1 : 0);
        if (available < shots)
            throw new DatasetException($"{what} has {count} image(s); a {shots}-shot episode needs {shots} support(s) besides the query");
        var picked = new int[shots];
        var n = 0;
        while (n < shots)
        {
            var s = random.Next(count);
            if (s == query || Array.IndexOf(picked, s, 0, n) >= 0) continue;
            picked[n++] = s;
        }
        return picked;
    }

    /// <summary>Parallel.For that surfaces a worker's <see cref="DatasetException"/> as itself, not wrapped.</summary>
    public static void ParallelFor(int count, int maxParallelism, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism) }, body);
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault(x => x is DatasetException) is DatasetException d)
        {
            throw new DatasetException(d.Message, d);
        }
    }

    public static void CheckIndex(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "episode index must be non-negative");
    }
}

/// <summary>Image decoding shared by the loaders (original resolution; resizing is the model side's job).</summary>
internal static class ImageLoading
{
    public static SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> LoadRgb(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"missing image '{path}'");
        try { return SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(path); }
        catch (Exception e) when (e is SixLabors.ImageSharp.ImageFormatException or SixLabors.ImageSharp.UnknownImageFormatException or IOException)
        { throw new DatasetException($"cannot decode image '{path}': {e.Message}", e); }
    }
}
