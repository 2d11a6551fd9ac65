using System.Globalization;

namespace Uino.Training.Data.Pascal;

/// <summary>PASCAL-5i class splits: fold i's novel classes are 5i+1..5i+5, its base classes the other 15 (OSLSM/PFENet/HSNet).</summary>
public static class PascalFolds
{
    public const int ClassCount = 20;
    public const int FoldCount = 4;

    public static IReadOnlyList<int> Novel(int fold)
    {
        Check(fold);
        return Enumerable.Range(5 * fold + 1, 5).ToArray();
    }

    public static IReadOnlyList<int> Base(int fold)
    {
        var novel = Novel(fold);
        return Enumerable.Range(1, ClassCount).Where(c => !novel.Contains(c)).ToArray();
    }

    private static void Check(int fold)
    {
        if (fold is < 0 or >= FoldCount)
            throw new DatasetException($"pascal: fold {fold} is out of range; expected 0..{FoldCount - 1}");
    }
}

/// <summary>
/// PASCAL-5i over VOC2012 + SBD (<c>JPEGImages/*.jpg</c>, <c>SegmentationClassAug/*.png</c>: 0 background, 1..20, 255 ignore).
/// Per-class image lists follow PFENet/HDMNet <c>make_dataset</c>: a class counts in an image when it covers at least
/// 2·32·32 pixels; the training view drops every image holding any pixel of a class outside the fold's base classes.
/// </summary>
public sealed class PascalDataset : IFewShotDataset
{
    /// <summary>Minimum pixels of a class for an image to enter that class's list (Shaban et al.; PFENet: 2·32·32).</summary>
    public const int MinClassPixels = 2 * 32 * 32;

    /// <summary>List file read for each split (SBD-augmented train, VOC2012 val).</summary>
    public static string ListFileName(FewShotSplit split) => split == FewShotSplit.Train ? "train_aug.txt" : "val.txt";

    private readonly string _imageDir, _maskDir;
    private readonly string[] _images;
    private readonly Dictionary<int, int[]> _classImages;
    private readonly (int Image, int Class)[] _pairs;

    public string Name => "pascal";
    public int Fold { get; }
    public FewShotSplit Split { get; }
    public IReadOnlyList<int> Classes { get; }
    public IReadOnlyDictionary<int, int> ImagesPerClass { get; }
    /// <summary>The VOC2012 folder actually used (root, root/VOC2012 or root/VOCdevkit/VOC2012).</summary>
    public string VocDirectory { get; }
    /// <summary>The image list read.</summary>
    public string ListFile { get; }
    /// <summary>(image, class) pairs, in list order then ascending class: the query of episode i is pair i mod count.</summary>
    public int PairCount => _pairs.Length;

    private PascalDataset(int fold, FewShotSplit split, string voc, string list, string[] images,
        Dictionary<int, int[]> classImages, IReadOnlyList<int> classes)
    {
        Fold = fold; Split = split; VocDirectory = voc; ListFile = list;
        _imageDir = Path.Combine(voc, "JPEGImages");
        _maskDir = Path.Combine(voc, "SegmentationClassAug");
        _images = images; _classImages = classImages; Classes = classes;
        ImagesPerClass = classes.ToDictionary(c => c, c => classImages[c].Length);
        _pairs = Enumerable.Range(0, images.Length)
            .SelectMany(i => classes.Where(c => Array.BinarySearch(classImages[c], i) >= 0).Select(c => (i, c)))
            .ToArray();
    }

    /// <summary>Image ids (file stems) of one class, in list order.</summary>
    public IReadOnlyList<string> ImageNames(int classId) =>
        _classImages.TryGetValue(classId, out var ids) ? ids.Select(i => _images[i]).ToArray()
            : throw new ArgumentOutOfRangeException(nameof(classId), classId, $"class {classId} is not in this fold/split");

    /// <summary>Locates the VOC folder: <paramref name="root"/>, root/VOC2012 (HSNet's datapath) or root/VOCdevkit/VOC2012.</summary>
    public static string ResolveVocDirectory(string root)
    {
        foreach (var c in new[] { root, Path.Combine(root, "VOC2012"), Path.Combine(root, "VOCdevkit", "VOC2012") })
            if (Directory.Exists(Path.Combine(c, "JPEGImages"))) return c;
        throw new DatasetException($"pascal: missing folder '{Path.Combine(root, "JPEGImages")}' (also looked under VOC2012/ and VOCdevkit/VOC2012/)");
    }

    /// <summary>
    /// The list file for a split: <c>ListDirectory/{train_aug,val}.txt</c> when given, else
    /// <c>VOC/ImageSets/SegmentationAug/{train_aug,val}.txt</c>, and for val also VOC's own <c>ImageSets/Segmentation/val.txt</c>.
    /// </summary>
    public static string ResolveListFile(string voc, FewShotSplit split, string? listDirectory)
    {
        var name = ListFileName(split);
        var candidates = listDirectory is not null
            ? new[] { Path.Combine(listDirectory, name) }
            : split == FewShotSplit.Train
                ? new[] { Path.Combine(voc, "ImageSets", "SegmentationAug", name) }
                : new[] { Path.Combine(voc, "ImageSets", "SegmentationAug", name), Path.Combine(voc, "ImageSets", "Segmentation", name) };
        foreach (var c in candidates) if (File.Exists(c)) return c;
        throw new DatasetException($"pascal: missing image list '{candidates[0]}' (one image id, or 'JPEGImages/<id>.jpg SegmentationClassAug/<id>.png', per line)");
    }

    /// <summary>Reads image ids from a list: the first token of each line, directory and extension stripped; duplicates dropped.</summary>
    public static string[] ReadList(string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            var t = line.Trim();
            if (t.Length == 0) continue;
            var first = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            var id = Path.GetFileNameWithoutExtension(first.Replace('\\', '/').Split('/')[^1]);
            if (id.Length > 0 && seen.Add(id)) ids.Add(id);
        }
        return ids.ToArray();
    }

    internal static PascalDataset Open(string root, int fold, FewShotSplit split, DatasetOptions options)
    {
        var voc = ResolveVocDirectory(root);
        var maskDir = Path.Combine(voc, "SegmentationClassAug");
        if (!Directory.Exists(maskDir)) throw new DatasetException($"pascal: missing folder '{maskDir}'");
        if (options.ListDirectory is not null && !Directory.Exists(options.ListDirectory))
            throw new DatasetException($"pascal: list directory '{options.ListDirectory}' does not exist");
        var list = ResolveListFile(voc, split, options.ListDirectory);
        var ids = ReadList(list);
        if (ids.Length == 0) throw new DatasetException($"pascal: image list '{list}' is empty");
        var counts = ClassPixelCounts(maskDir, list, ids, options);

        var novel = PascalFolds.Novel(fold);
        var classes = split == FewShotSplit.Train ? PascalFolds.Base(fold) : novel;
        var classSet = new HashSet<int>(classes);
        var classImages = classes.ToDictionary(c => c, _ => new List<int>());
        for (var i = 0; i < ids.Length; i++)
        {
            var k = counts[i];
            // HDMNet filter_intersection: training keeps only images whose every labelled class is a base class.
            if (split == FewShotSplit.Train && Enumerable.Range(1, 21).Any(v => k[v] > 0 && !classSet.Contains(v))) continue;
            foreach (var c in classes)
                if (k[c] >= MinClassPixels) classImages[c].Add(i);
        }
        return new PascalDataset(fold, split, voc, list, ids, classImages.ToDictionary(p => p.Key, p => p.Value.ToArray()), classes);
    }

    /// <summary>
    /// Per image: pixel count of each class 1..20 (index = class) and, at index 21, of any other value except 0 and 255.
    /// Cached under <see cref="DatasetOptions.CacheDirectory"/> keyed by the list file's path, size and time.
    /// </summary>
    private static int[][] ClassPixelCounts(string maskDir, string list, string[] ids, DatasetOptions options)
    {
        string? cache = null;
        if (options.CacheDirectory is not null)
        {
            var info = new FileInfo(list);
            var key = $"{Path.GetFullPath(maskDir)}|{Path.GetFullPath(list)}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16];
            cache = Path.Combine(options.CacheDirectory, $"pascal-{Path.GetFileNameWithoutExtension(list)}-{hash}.tsv");
            if (File.Exists(cache) && TryReadCache(cache, ids) is { } cached) return cached;
        }
        var result = new int[ids.Length][];
        EpisodeSampling.ParallelFor(ids.Length, options.MaxParallelism, i =>
        {
            var path = Path.Combine(maskDir, ids[i] + ".png");
            if (!File.Exists(path)) throw new DatasetException($"pascal: missing mask '{path}' listed in the image list");
            var (_, _, values) = IndexedPng.Read(path);
            var k = new int[22];
            foreach (var v in values)
            {
                if (v == 0 || v == LabelMask.Ignore) continue;
                k[v <= 20 ? v : 21]++;
            }
            result[i] = k;
        });
        if (cache is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            var tmp = cache + ".tmp";
            File.WriteAllLines(tmp, ids.Select((id, i) => id + "\t" + string.Join('\t', result[i].Skip(1))));
            File.Move(tmp, cache, overwrite: true);
        }
        return result;
    }

    private static int[][]? TryReadCache(string cache, string[] ids)
    {
        var lines = File.ReadAllLines(cache);
        if (lines.Length != ids.Length) return null;
        var result = new int[ids.Length][];
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split('\t');
            if (parts.Length != 22 || parts[0] != ids[i]) return null;
            var k = new int[22];
            for (var j = 1; j < 22; j++)
                if (!int.TryParse(parts[j], NumberStyles.None, CultureInfo.InvariantCulture, out k[j])) return null;
            result[i] = k;
        }
        return result;
    }

    /// <summary>
    /// Episode <paramref name="index"/>: the query is (image, class) pair <c>index mod PairCount</c> (HSNet's
    /// <c>img_metadata[idx % len]</c>); the supports are drawn uniformly, distinct, from the class's other images.
    /// </summary>
    public Episode Sample(Random random, int shots, int index)
    {
        EpisodeSampling.CheckIndex(index);
        if (_pairs.Length == 0) throw new DatasetException($"pascal fold {Fold} {Split}: no image passes the class filter");
        var (queryImage, cls) = _pairs[index % _pairs.Length];
        var list = _classImages[cls];
        var q = Array.BinarySearch(list, queryImage);
        var supports = EpisodeSampling.PickSupports(random, list.Length, shots, q, $"pascal class {cls}");
        var loaded = new List<LabelledImage>();
        try
        {
            foreach (var s in supports) loaded.Add(Load(_images[list[s]], cls));
            var query = Load(_images[queryImage], cls);
            return new Episode(cls, loaded, query);
        }
        catch
        {
            foreach (var l in loaded) l.Dispose();
            throw;
        }
    }

    /// <summary>Loads an image and its binary mask for <paramref name="classId"/>: 1 on the class, 255 kept, else 0.</summary>
    public LabelledImage Load(string id, int classId)
    {
        var maskPath = Path.Combine(_maskDir, id + ".png");
        var (w, h, values) = IndexedPng.Read(maskPath);
        var mask = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
            mask[i] = values[i] == LabelMask.Ignore ? LabelMask.Ignore : values[i] == classId ? (byte)1 : (byte)0;
        var image = ImageLoading.LoadRgb(Path.Combine(_imageDir, id + ".jpg"));
        if (image.Width != w || image.Height != h)
        {
            image.Dispose();
            throw new DatasetException($"pascal: image '{id}.jpg' is {image.Width}x{image.Height} but its mask is {w}x{h}");
        }
        return new LabelledImage(image, new LabelMask(w, h, mask), id);
    }
}
