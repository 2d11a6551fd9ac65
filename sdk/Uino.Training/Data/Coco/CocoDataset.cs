namespace Uino.Training.Data.Coco;

/// <summary>
/// COCO-20i class splits with contiguous ids 1..80 (COCO's sparse category ids in ascending order). Fold i's novel
/// classes are {c : (c−1) mod 4 = i}, interleaved, as HSNet (<c>fold + 4v</c>, 0-based) and PFENet/HDMNet
/// <c>use_split_coco</c> (<c>range(i+1, 81, 4)</c>) define them; base = the other 60.
/// </summary>
public static class CocoFolds
{
    public const int ClassCount = 80;
    public const int FoldCount = 4;

    /// <summary>The 80 COCO category ids (1..90 without 12, 26, 29, 30, 45, 66, 68, 69, 71, 83); class c is entry c−1.</summary>
    public static IReadOnlyList<int> CategoryIds { get; } = Enumerable.Range(1, 90)
        .Except([12, 26, 29, 30, 45, 66, 68, 69, 71, 83]).ToArray();

    /// <summary>Contiguous class 1..80 of a COCO category id, or 0 when the id is not one of the 80.</summary>
    public static int ClassOfCategory(int categoryId)
    {
        var i = ((int[])CategoryIds).AsSpan().BinarySearch(categoryId);
        return i >= 0 ? i + 1 : 0;
    }

    public static IReadOnlyList<int> Novel(int fold)
    {
        if (fold is < 0 or >= FoldCount)
            throw new DatasetException($"coco: fold {fold} is out of range; expected 0..{FoldCount - 1}");
        return Enumerable.Range(1, ClassCount).Where(c => (c - 1) % FoldCount == fold).ToArray();
    }

    public static IReadOnlyList<int> Base(int fold)
    {
        var novel = Novel(fold);
        return Enumerable.Range(1, ClassCount).Where(c => !novel.Contains(c)).ToArray();
    }
}

/// <summary>
/// COCO-20i over COCO 2014: <c>train2014/</c> with <c>annotations/instances_train2014.json</c> for the train split,
/// <c>val2014/</c> with <c>annotations/instances_val2014.json</c> for val. Masks are decoded from the json (polygons,
/// uncompressed and compressed RLE, crowd regions included), the class mask being the union of its instances.
/// Per-class image lists apply PFENet/HDMNet's rules on that union: a class counts when it covers ≥ 2·32·32 pixels,
/// and the training view drops images holding any annotation of a non-base class.
/// </summary>
public sealed class CocoDataset : IFewShotDataset
{
    public const int MinClassPixels = 2 * 32 * 32;

    private readonly string _imageDir;
    private readonly Dictionary<long, CocoImageInfo> _images;
    private readonly Dictionary<long, List<(int Class, CocoSegmentation Seg)>> _annotations;
    private readonly Dictionary<int, long[]> _classImages;

    public string Name => "coco";
    public int Fold { get; }
    public FewShotSplit Split { get; }
    public IReadOnlyList<int> Classes { get; }
    public IReadOnlyDictionary<int, int> ImagesPerClass { get; }
    /// <summary>The annotation file read.</summary>
    public string AnnotationFile { get; }

    private CocoDataset(int fold, FewShotSplit split, string imageDir, string annotationFile,
        Dictionary<long, CocoImageInfo> images, Dictionary<long, List<(int, CocoSegmentation)>> annotations,
        Dictionary<int, long[]> classImages, IReadOnlyList<int> classes)
    {
        Fold = fold; Split = split; _imageDir = imageDir; AnnotationFile = annotationFile;
        _images = images; _annotations = annotations; _classImages = classImages; Classes = classes;
        ImagesPerClass = classes.ToDictionary(c => c, c => classImages[c].Length);
    }

    /// <summary>COCO image ids holding a class, ascending.</summary>
    public IReadOnlyList<long> ImageIds(int classId) =>
        _classImages.TryGetValue(classId, out var ids) ? ids
            : throw new ArgumentOutOfRangeException(nameof(classId), classId, $"class {classId} is not in this fold/split");

    /// <summary>The COCO folder: <paramref name="root"/> or root/COCO2014 (HSNet's datapath), holding <c>annotations/</c>.</summary>
    public static string ResolveCocoDirectory(string root)
    {
        foreach (var c in new[] { root, Path.Combine(root, "COCO2014") })
            if (Directory.Exists(Path.Combine(c, "annotations"))) return c;
        throw new DatasetException($"coco: missing folder '{Path.Combine(root, "annotations")}' (also looked under COCO2014/)");
    }

    internal static CocoDataset Open(string root, int fold, FewShotSplit split, DatasetOptions options)
    {
        var dir = ResolveCocoDirectory(root);
        var set = split == FewShotSplit.Train ? "train2014" : "val2014";
        var imageDir = Path.Combine(dir, set);
        var annFile = Path.Combine(dir, "annotations", $"instances_{set}.json");
        if (!File.Exists(annFile)) throw new DatasetException($"coco: missing annotation file '{annFile}'");
        if (!Directory.Exists(imageDir)) throw new DatasetException($"coco: missing image folder '{imageDir}'");
        return Build(CocoInstances.Load(annFile), fold, split, imageDir, annFile, options);
    }

    internal static CocoDataset Build(CocoInstances json, int fold, FewShotSplit split, string imageDir, string annFile, DatasetOptions options)
    {
        var images = new Dictionary<long, CocoImageInfo>();
        foreach (var im in json.Images)
            if (!images.TryAdd(im.Id, im)) throw new DatasetException($"coco: image id {im.Id} appears twice in '{annFile}'");
        var perImage = new Dictionary<long, List<(int, CocoSegmentation)>>();
        foreach (var a in json.Annotations)
        {
            var cls = CocoFolds.ClassOfCategory(a.CategoryId);
            if (cls == 0) throw new DatasetException($"coco: annotation {a.Id} in '{annFile}' has category id {a.CategoryId}, not one of the 80 COCO categories");
            if (!images.ContainsKey(a.ImageId)) throw new DatasetException($"coco: annotation {a.Id} refers to image {a.ImageId}, absent from '{annFile}'");
            if (a.Segmentation is null) continue;
            if (!perImage.TryGetValue(a.ImageId, out var l)) perImage[a.ImageId] = l = [];
            l.Add((cls, a.Segmentation));
        }

        var classes = split == FewShotSplit.Train ? CocoFolds.Base(fold) : CocoFolds.Novel(fold);
        var classSet = new HashSet<int>(classes);
        var ids = perImage.Keys.Order().ToArray();
        var qualifying = new int[ids.Length][];
        EpisodeSampling.ParallelFor(ids.Length, options.MaxParallelism, i =>
        {
            var anns = perImage[ids[i]];
            var info = images[ids[i]];
            if (split == FewShotSplit.Train && anns.Any(a => !classSet.Contains(a.Item1))) { qualifying[i] = []; return; }
            var keep = new List<int>();
            foreach (var c in anns.Select(a => a.Item1).Distinct().Where(classSet.Contains).Order())
                if (ClassArea(anns, c, info, stopAt: MinClassPixels) >= MinClassPixels) keep.Add(c);
            qualifying[i] = keep.ToArray();
        });
        var classImages = classes.ToDictionary(c => c, _ => new List<long>());
        for (var i = 0; i < ids.Length; i++)
            foreach (var c in qualifying[i]) classImages[c].Add(ids[i]);
        return new CocoDataset(fold, split, imageDir, annFile, images, perImage,
            classImages.ToDictionary(p => p.Key, p => p.Value.ToArray()), classes);
    }

    /// <summary>Pixels of the union of a class's instances; stops early once one instance alone reaches <paramref name="stopAt"/>.</summary>
    private static long ClassArea(List<(int Class, CocoSegmentation Seg)> anns, int cls, CocoImageInfo info, long stopAt)
    {
        var rles = new List<CocoRle>();
        foreach (var (c, seg) in anns)
        {
            if (c != cls) continue;
            var r = CocoMask.FromSegmentation(seg, info.Height, info.Width);
            if (r.Area >= stopAt) return r.Area;
            rles.Add(r);
        }
        return rles.Count == 0 ? 0 : CocoMask.Union(rles).Area;
    }

    /// <summary>Binary mask (1 = any instance of the class, crowd included) of an image at its original size.</summary>
    public LabelMask MaskOf(long imageId, int classId)
    {
        if (!_images.TryGetValue(imageId, out var info)) throw new DatasetException($"coco: unknown image id {imageId}");
        var mask = new byte[info.Width * info.Height];
        if (_annotations.TryGetValue(imageId, out var anns))
            foreach (var (c, seg) in anns)
            {
                if (c != classId) continue;
                var rle = CocoMask.FromSegmentation(seg, info.Height, info.Width);
                if (rle.Height != info.Height || rle.Width != info.Width)
                    throw new DatasetException($"coco: an RLE of image {imageId} is {rle.Height}x{rle.Width}, the image {info.Height}x{info.Width}");
                rle.OrInto(mask);
            }
        return new LabelMask(info.Width, info.Height, mask);
    }

    /// <summary>An image of the split with its mask for <paramref name="classId"/>.</summary>
    public LabelledImage Load(long imageId, int classId)
    {
        var mask = MaskOf(imageId, classId);
        var info = _images[imageId];
        var image = ImageLoading.LoadRgb(Path.Combine(_imageDir, info.FileName));
        if (image.Width != mask.Width || image.Height != mask.Height)
        {
            image.Dispose();
            throw new DatasetException($"coco: image '{info.FileName}' is {image.Width}x{image.Height} but its annotation says {mask.Width}x{mask.Height}");
        }
        return new LabelledImage(image, mask, info.FileName);
    }

    /// <summary>
    /// HSNet's COCO episode (index ignored, for train and test alike): a class uniformly at random, a query uniformly
    /// from its images, then distinct supports other than the query. Classes with too few images for
    /// <paramref name="shots"/> + 1 are skipped (never the case on full COCO).
    /// </summary>
    public Episode Sample(Random random, int shots, int index)
    {
        EpisodeSampling.CheckIndex(index);
        var usable = Classes.Where(c => _classImages[c].Length > shots).ToArray();
        if (usable.Length == 0)
            throw new DatasetException($"coco fold {Fold} {Split}: no class has {shots + 1} images for a {shots}-shot episode");
        var cls = usable[random.Next(usable.Length)];
        var list = _classImages[cls];
        var q = random.Next(list.Length);
        var supports = EpisodeSampling.PickSupports(random, list.Length, shots, q, $"coco class {cls}");
        var loaded = new List<LabelledImage>();
        try
        {
            foreach (var s in supports) loaded.Add(Load(list[s], cls));
            return new Episode(cls, loaded, Load(list[q], cls));
        }
        catch
        {
            foreach (var l in loaded) l.Dispose();
            throw;
        }
    }
}
