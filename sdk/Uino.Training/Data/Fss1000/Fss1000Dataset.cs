using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Fss1000;

/// <summary>
/// FSS-1000: <c>&lt;root&gt;/&lt;class name&gt;/&lt;n&gt;.jpg</c> with <c>&lt;n&gt;.png</c> masks (threshold 128, as HSNet).
/// A single fold. The class lists come from HSNet's split files, which the user supplies:
/// <c>&lt;root&gt;/splits/{trn,val,test}.txt</c> (or <see cref="DatasetOptions.ListDirectory"/>), one class name per line.
/// Train reads trn.txt (520 classes); Val reads test.txt (240 benchmark classes) unless
/// <see cref="DatasetOptions.Fss1000EvalList"/> is "val". Class ids follow HSNet (0-based there, +1 here):
/// trn 1..520, val 521..760, test 761..1000, by the class's rank in its sorted list.
/// </summary>
public sealed class Fss1000Dataset : IFewShotDataset
{
    private readonly string[] _classDirs;
    private readonly string[][] _images;          // per class (index = id − first id), sorted jpg stems
    private readonly (int Class, int Image)[] _all;
    private readonly int _firstId;

    public string Name => "fss1000";
    public int Fold => 0;
    public FewShotSplit Split { get; }
    public IReadOnlyList<int> Classes { get; }
    public IReadOnlyDictionary<int, int> ImagesPerClass { get; }
    /// <summary>Class name of each id.</summary>
    public IReadOnlyDictionary<int, string> ClassNames { get; }
    /// <summary>The split file read.</summary>
    public string SplitFile { get; }
    /// <summary>All images of the split's classes: HSNet evaluates each once as a query.</summary>
    public int ImageCount => _all.Length;

    private Fss1000Dataset(FewShotSplit split, string splitFile, int firstId, string[] names, string[] classDirs, string[][] images)
    {
        Split = split; SplitFile = splitFile; _firstId = firstId; _classDirs = classDirs; _images = images;
        Classes = Enumerable.Range(firstId, names.Length).ToArray();
        ClassNames = Classes.ToDictionary(c => c, c => names[c - firstId]);
        ImagesPerClass = Classes.ToDictionary(c => c, c => images[c - firstId].Length);
        _all = images.SelectMany((imgs, k) => imgs.Select((_, j) => (firstId + k, j))).ToArray();
    }

    /// <summary>The image stems of a class, in HSNet's order (sorted file names).</summary>
    public IReadOnlyList<string> ImageNames(int classId) =>
        classId >= _firstId && classId < _firstId + _images.Length ? _images[classId - _firstId]
            : throw new ArgumentOutOfRangeException(nameof(classId), classId, $"class {classId} is not in this split");

    /// <summary>Split file name and first class id for a split: trn → 1, val → 521, test → 761.</summary>
    public static (string File, int FirstId, int Capacity) SplitList(FewShotSplit split, string evalList) =>
        split == FewShotSplit.Train ? ("trn.txt", 1, 520)
        : evalList.Trim().ToLowerInvariant() switch
        {
            "test" => ("test.txt", 761, 240),
            "val" => ("val.txt", 521, 240),
            _ => throw new DatasetException($"fss1000: unknown evaluation list '{evalList}'; expected test or val"),
        };

    internal static Fss1000Dataset Open(string root, FewShotSplit split, DatasetOptions options)
    {
        var baseDir = Directory.Exists(Path.Combine(root, "FSS-1000")) ? Path.Combine(root, "FSS-1000") : root;
        var (file, firstId, capacity) = SplitList(split, options.Fss1000EvalList);
        var splitDir = options.ListDirectory ?? Path.Combine(root, "splits");
        var splitFile = Path.Combine(splitDir, file);
        if (!File.Exists(splitFile))
            throw new DatasetException($"fss1000: missing split file '{splitFile}' (HSNet's data/splits/fss/{file}: one class folder name per line)");
        var names = File.ReadLines(splitFile).Select(l => l.Trim()).Where(l => l.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (names.Length == 0) throw new DatasetException($"fss1000: split file '{splitFile}' lists no class");
        if (names.Length > capacity)
            throw new DatasetException($"fss1000: split file '{splitFile}' lists {names.Length} classes; the standard split has {capacity}");
        var dirs = new string[names.Length];
        var images = new string[names.Length][];
        for (var k = 0; k < names.Length; k++)
        {
            dirs[k] = Path.Combine(baseDir, names[k]);
            if (!Directory.Exists(dirs[k])) throw new DatasetException($"fss1000: missing class folder '{dirs[k]}' listed in '{splitFile}'");
            images[k] = Directory.EnumerateFiles(dirs[k], "*.jpg").Select(p => Path.GetFileNameWithoutExtension(p)!)
                .Order(StringComparer.Ordinal).ToArray();
            if (images[k].Length == 0) throw new DatasetException($"fss1000: class folder '{dirs[k]}' holds no .jpg image");
        }
        return new Fss1000Dataset(split, splitFile, firstId, names, dirs, images);
    }

    /// <summary>Loads <c>&lt;stem&gt;.jpg</c> of a class with its mask <c>&lt;stem&gt;.png</c> (grey ≥ 128 → 1).</summary>
    public LabelledImage Load(int classId, string stem)
    {
        var dir = _classDirs[classId - _firstId];
        var maskPath = Path.Combine(dir, stem + ".png");
        if (!File.Exists(maskPath)) throw new DatasetException($"fss1000: missing mask '{maskPath}'");
        byte[] values;
        int w, h;
        try
        {
            using var m = Image.Load<L8>(maskPath);
            w = m.Width; h = m.Height;
            var px = new L8[w * h];
            m.CopyPixelDataTo(px);
            values = new byte[px.Length];
            for (var i = 0; i < px.Length; i++) values[i] = px[i].PackedValue >= 128 ? (byte)1 : (byte)0;
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or IOException)
        {
            throw new DatasetException($"fss1000: cannot decode mask '{maskPath}': {e.Message}", e);
        }
        var image = ImageLoading.LoadRgb(Path.Combine(dir, stem + ".jpg"));
        if (image.Width != w || image.Height != h)
        {
            image.Dispose();
            throw new DatasetException($"fss1000: image '{Path.Combine(dir, stem)}.jpg' is {image.Width}x{image.Height} but its mask is {w}x{h}");
        }
        return new LabelledImage(image, new LabelMask(w, h, values), $"{ClassNames[classId]}/{stem}");
    }

    /// <summary>
    /// Episode <paramref name="index"/>: the query is image <c>index mod ImageCount</c> of all the split's images
    /// (classes in sorted order, files sorted: HSNet's <c>img_metadata[idx]</c>); supports are distinct other images
    /// of the same class drawn uniformly (HSNet draws from 1..10.jpg).
    /// </summary>
    public Episode Sample(Random random, int shots, int index)
    {
        EpisodeSampling.CheckIndex(index);
        var (cls, q) = _all[index % _all.Length];
        var imgs = _images[cls - _firstId];
        var supports = EpisodeSampling.PickSupports(random, imgs.Length, shots, q, $"fss1000 class '{ClassNames[cls]}'");
        var loaded = new List<LabelledImage>();
        try
        {
            foreach (var s in supports) loaded.Add(Load(cls, imgs[s]));
            return new Episode(cls, loaded, Load(cls, imgs[q]));
        }
        catch
        {
            foreach (var l in loaded) l.Dispose();
            throw;
        }
    }
}
