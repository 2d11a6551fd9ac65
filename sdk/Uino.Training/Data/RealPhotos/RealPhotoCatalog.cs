using System.Globalization;

namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// One photo of the shared real-photo data. <see cref="ClassId"/> is the class of its masked object (butterfly
/// species, pet breed, horse, person) or −1 for an unlabelled photo. <see cref="Garments"/> (Clothing Co-Parsing
/// only): garment class id → fraction of the image it covers.
/// </summary>
public sealed record RealPhoto(string Set, string Stem, string ImagePath, int ClassId, string? MaskPath = null,
    string? BoundaryPath = null, string? LabelmapPath = null, bool UniformBackground = false,
    IReadOnlyDictionary<int, double>? Garments = null)
{
    public bool IsLabelled => MaskPath is not null;
    /// <summary>"set:stem", the id recorded in episode names.</summary>
    public string Id => $"{Set}:{Stem}";
}

/// <summary>
/// The index of a shared data root (<c>train/&lt;set&gt;/labels.csv</c>, <c>images/</c>, <c>masks/</c>, see the
/// root's README.md): every labelled and unlabelled photo, read once; no pixels. <c>dev/</c> is never read.
/// </summary>
public sealed class RealPhotoCatalog
{
    public const string Butterflies = "leeds_butterfly", Pets = "oxford_pets_3breeds", Clothing = "clothing_co_parsing",
        Horses = "weizmann_horses", ImageNet = "imagenet_sample_1k", Bsds = "bsds500";

    /// <summary>Sets read, in order; all must be present.</summary>
    public static IReadOnlyList<string> Sets { get; } = [Butterflies, Pets, Clothing, Horses, ImageNet, Bsds];

    public string Root { get; }
    /// <summary>Photos with an object mask (all of them, held-out classes included).</summary>
    public IReadOnlyList<RealPhoto> Labelled { get; }
    /// <summary>Photos without masks (ImageNet sample with a short side ≥ 256 at source, BSDS500).</summary>
    public IReadOnlyList<RealPhoto> Unlabelled { get; }
    /// <summary>Garment class id (100 + CCP id) → name, excluded labels left out.</summary>
    public IReadOnlyDictionary<int, string> GarmentNames { get; }
    /// <summary>Butterfly species id → common name (labels.csv <c>class_common</c>).</summary>
    public IReadOnlyDictionary<int, string> ButterflyNames { get; }

    private RealPhotoCatalog(string root, List<RealPhoto> labelled, List<RealPhoto> unlabelled, Dictionary<int, string> garments,
        Dictionary<int, string> butterflies)
    {
        Root = root; Labelled = labelled; Unlabelled = unlabelled; GarmentNames = garments; ButterflyNames = butterflies;
    }

    /// <summary>Reads <paramref name="root"/>; throws <see cref="DatasetException"/> naming what is missing and what to do.</summary>
    public static RealPhotoCatalog Open(string root)
    {
        if (string.IsNullOrWhiteSpace(root) || !Directory.Exists(root))
            throw new DatasetException($"real: data root '{root}' does not exist; the data root is the shared real-photo folder (the one holding train/leeds_butterfly, train/bsds500, ...), e.g. ../shared/data");
        foreach (var set in Sets)
        {
            var dir = Path.Combine(root, "train", set);
            if (!File.Exists(Path.Combine(dir, "labels.csv")))
                throw new DatasetException($"real: missing '{Path.Combine(dir, "labels.csv")}'; the data root must hold train/<set>/labels.csv and images/ for {string.Join(", ", Sets)} (see the root's README.md)");
        }
        var garments = ReadGarmentNames(Path.Combine(root, "train", Clothing, "classes.csv"));
        var byName = garments.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
        var labelled = new List<RealPhoto>();
        var uniform = File.Exists(Path.Combine(root, "train", Butterflies, "uniform_background.txt"))
            ? File.ReadLines(Path.Combine(root, "train", Butterflies, "uniform_background.txt"))
                .Select(l => Path.GetFileNameWithoutExtension(l.Split(',')[0].Trim())).ToHashSet(StringComparer.Ordinal)
            : [];
        var butterflies = new Dictionary<int, string>();
        foreach (var row in Rows(root, Butterflies))
        {
            int id = Int(row, "class_id", root, Butterflies);
            if (id is < 1 or > 10) throw new DatasetException($"real: butterfly class_id {id} of {row["image"]} is outside 1..10");
            butterflies.TryAdd(id, row.GetValueOrDefault("class_common") ?? $"butterfly {id}");
            labelled.Add(Photo(root, Butterflies, row, id, uniform: uniform.Contains(Stem(row))));
        }
        foreach (var row in Rows(root, Pets))
        {
            var breed = row["breed"];
            if (!RealPhotoClasses.PetBreeds.TryGetValue(breed, out int id))
                throw new DatasetException($"real: unknown breed '{breed}' in {Path.Combine(root, "train", Pets, "labels.csv")}");
            labelled.Add(Photo(root, Pets, row, id, boundary: true));
        }
        foreach (var row in Rows(root, Horses)) labelled.Add(Photo(root, Horses, row, RealPhotoClasses.Horse));
        foreach (var row in Rows(root, Clothing))
        {
            double area = Double(row, "width", root) * Double(row, "height", root);
            var fractions = new Dictionary<int, double>();
            foreach (var part in row["labels_pixels"].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = part.LastIndexOf(':');
                var name = part[..colon];
                if (byName.TryGetValue(name, out int gid))
                    fractions[gid] = double.Parse(part[(colon + 1)..], CultureInfo.InvariantCulture) / area;
            }
            labelled.Add(Photo(root, Clothing, row, RealPhotoClasses.Person, labelmap: true) with { Garments = fractions });
        }
        var unlabelled = new List<RealPhoto>();
        foreach (var row in Rows(root, ImageNet))
            if (!row.TryGetValue("short_side_ge_256", out var big) || !big.Equals("False", StringComparison.OrdinalIgnoreCase))
                unlabelled.Add(Photo(root, ImageNet, row, -1, mask: false));
        foreach (var row in Rows(root, Bsds)) unlabelled.Add(Photo(root, Bsds, row, -1, mask: false));
        return new RealPhotoCatalog(root, labelled, unlabelled, garments, butterflies);
    }

    private static string Stem(Dictionary<string, string> row) => Path.GetFileNameWithoutExtension(row["image"]);

    private static RealPhoto Photo(string root, string set, Dictionary<string, string> row, int classId, bool mask = true,
        bool boundary = false, bool labelmap = false, bool uniform = false)
    {
        var dir = Path.Combine(root, "train", set);
        var stem = Stem(row);
        string image = Path.Combine(dir, "images", stem + ".jpg");
        if (!File.Exists(image)) throw new DatasetException($"real: missing image '{image}' listed in {Path.Combine(dir, "labels.csv")}");
        string? Need(string folder)
        {
            var p = Path.Combine(dir, folder, stem + ".png");
            return File.Exists(p) ? p : throw new DatasetException($"real: missing '{p}' for the image '{image}'");
        }
        return new RealPhoto(set, stem, image, classId, mask ? Need("masks") : null, boundary ? Need("boundary") : null,
            labelmap ? Need("labelmaps") : null, uniform);
    }

    private static Dictionary<int, string> ReadGarmentNames(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"real: missing '{path}' (Clothing Co-Parsing label ids and names)");
        var names = new Dictionary<int, string>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = Csv.Split(line);
            if (f.Count < 2 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id)) continue;
            if (!RealPhotoClasses.ExcludedGarments.Contains(f[1])) names[RealPhotoClasses.GarmentBase + id] = f[1];
        }
        return names;
    }

    private static IEnumerable<Dictionary<string, string>> Rows(string root, string set)
    {
        var path = Path.Combine(root, "train", set, "labels.csv");
        using var reader = new StreamReader(path);
        var header = Csv.Split(reader.ReadLine() ?? "");
        if (!header.Contains("image")) throw new DatasetException($"real: '{path}' has no 'image' column");
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var f = Csv.Split(line);
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Count; i++) row[header[i]] = i < f.Count ? f[i] : "";
            yield return row;
        }
    }

    private static int Int(Dictionary<string, string> row, string column, string root, string set) =>
        int.TryParse(row.GetValueOrDefault(column), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
            : throw new DatasetException($"real: bad {column} '{row.GetValueOrDefault(column)}' for {row["image"]} in {Path.Combine(root, "train", set, "labels.csv")}");

    private static double Double(Dictionary<string, string> row, string column, string root) =>
        double.TryParse(row.GetValueOrDefault(column), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v
            : throw new DatasetException($"real: bad {column} for {row["image"]} in {Path.Combine(root, "train", Clothing, "labels.csv")}");
}

/// <summary>A comma-separated line split into fields, double-quoted fields allowed.</summary>
internal static class Csv
{
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
