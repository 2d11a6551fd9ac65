using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;

namespace Uino.Training.Data;

/// <summary>One reference shot of an episode folder: an image file and its mask file.</summary>
public sealed record EpisodeShotFiles(string Image, string Mask);

/// <summary>The files of one episode folder, checked to exist, to be readable images and to have matching sizes.</summary>
public sealed record EpisodeFiles(string Name, string Folder, IReadOnlyList<EpisodeShotFiles> References, string Query, string QueryMask);

/// <summary>One episode decoded: the reference shots as a user hands them to the session, the query and its 0/1 label.</summary>
public sealed class LoadedEpisode : IDisposable
{
    internal LoadedEpisode(EpisodeFiles files, List<(Image<Rgb24> Image, Image<L8> Mask)> references, Image<Rgb24> query, byte[] label)
    {
        Files = files;
        References = references;
        Query = query;
        Label = label;
    }

    public EpisodeFiles Files { get; }

    /// <summary>The reference images and their masks as read (binarised to 0/255: a pixel ≥ 128 is object), in shot order.</summary>
    public IReadOnlyList<(Image<Rgb24> Image, Image<L8> Mask)> References { get; }

    public Image<Rgb24> Query { get; }

    /// <summary>The query mask at the query's size, row-major: 1 where the mask file's pixel is ≥ 128 (its brightest channel), else 0.</summary>
    public byte[] Label { get; }

    public void Dispose()
    {
        foreach (var (image, mask) in References) { image.Dispose(); mask.Dispose(); }
        Query.Dispose();
    }
}

/// <summary>
/// A user's own few-shot episodes on disk (<c>uino eval --episodes DIR</c>): DIR holds one folder per episode,
/// taken in ordinal name order (folders whose name starts with '.' are skipped), each with
/// <code>
/// reference.&lt;img&gt;    reference-mask.&lt;img&gt;      the first reference shot and its mask
/// reference-2.&lt;img&gt;  reference-2-mask.&lt;img&gt;    optional further shots (K-shot), -3, -4, … (gaps allowed)
/// query.&lt;img&gt;        query-mask.&lt;img&gt;          the image to segment and its ground truth
/// </code>
/// where &lt;img&gt; is any extension of a format the SDK reads (jpg, png, bmp, gif, tiff, webp, …; masks best as PNG),
/// matched without regard to case. A mask has its image's size; a pixel ≥ 128 is object (masks are thresholded at 128, so save them as PNG with 0/255). Other files are ignored.
/// </summary>
public static class EpisodeFolder
{
    /// <summary>What an episode folder holds, for error messages.</summary>
    public const string Layout = "reference.<img>, reference-mask.png, query.<img> and query-mask.png";

    private static readonly Regex EpisodeFile = new(@"^(?<role>reference|query)(?:-(?<shot>\d{1,4}))?(?<mask>-mask)?$",
                                                    RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Lists the episodes under <paramref name="root"/> and checks every file: present, a readable image (by its
    /// header) and of its partner's size. Throws a <see cref="DatasetException"/> that names the file and the fix.
    /// </summary>
    public static IReadOnlyList<EpisodeFiles> Read(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new DatasetException("The episodes folder path is empty.");
        if (File.Exists(root))
            throw new DatasetException($"The episodes folder '{root}' is a file: give a folder with one folder per episode, each holding {Layout}.");
        if (!Directory.Exists(root))
            throw new DatasetException($"The episodes folder '{root}' does not exist: give a folder with one folder per episode, each holding {Layout}.");
        var folders = Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.'))
                               .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            bool single = Directory.GetFiles(root).Any(f => Role(f) is ("query", _, false));
            throw new DatasetException(single
                ? $"The episodes folder '{root}' holds episode files but no episode folders: it looks like one episode; give the folder above it."
                : $"The episodes folder '{root}' holds no episode folders: expected one folder per episode, each holding {Layout}.");
        }
        var episodes = folders.Select(Scan).ToList();
        foreach (var e in episodes) CheckImages(e);
        return episodes;
    }

    /// <summary>Decodes an episode's images, its first <paramref name="maxShots"/> reference shots (all when null).</summary>
    public static LoadedEpisode Load(EpisodeFiles e, int? maxShots = null)
    {
        var shots = maxShots is int k ? e.References.Take(k) : e.References;
        var references = new List<(Image<Rgb24>, Image<L8>)>();
        Image<Rgb24>? query = null;
        try
        {
            foreach (var s in shots)
            {
                var image = ImageInput.LoadRgb(s.Image, "reference image");
                Image<L8> mask;
                try { mask = ImageInput.LoadMask(s.Mask, "reference mask"); }
                catch { image.Dispose(); throw; }
                references.Add((image, mask));
                CheckSize(s.Mask, mask.Width, mask.Height, s.Image, image.Width, image.Height);
            }
            query = ImageInput.LoadRgb(e.Query, "query image");
            using var queryMask = ImageInput.LoadMask(e.QueryMask, "query mask");
            CheckSize(e.QueryMask, queryMask.Width, queryMask.Height, e.Query, query.Width, query.Height);
            var label = ImageInput.Bytes(queryMask).ToArray();
            for (int i = 0; i < label.Length; i++) label[i] = label[i] != 0 ? (byte)1 : (byte)0;
            return new LoadedEpisode(e, references, query, label);
        }
        catch
        {
            foreach (var (image, mask) in references) { image.Dispose(); mask.Dispose(); }
            query?.Dispose();
            throw;
        }
    }

    /// <summary>The role of an episode file by its name: ("reference" or "query", shot number, is a mask), or null.</summary>
    private static (string Role, int Shot, bool Mask)? Role(string path)
    {
        if (!ImageExtensions.Contains(Path.GetExtension(path))) return null;
        var m = EpisodeFile.Match(Path.GetFileNameWithoutExtension(path));
        if (!m.Success) return null;
        string role = m.Groups["role"].Value.ToLowerInvariant();
        int shot = m.Groups["shot"].Success ? int.Parse(m.Groups["shot"].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
        if (role == "query" && m.Groups["shot"].Success) return null;
        return (role, shot, m.Groups["mask"].Success);
    }

    /// <summary>Extensions of the formats the SDK decodes (".jpg", ".png", …), without regard to case.</summary>
    private static readonly HashSet<string> ImageExtensions =
        ImageDecoding.Configuration.ImageFormats.SelectMany(f => f.FileExtensions).Select(x => "." + x)
                     .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static EpisodeFiles Scan(string folder)
    {
        var found = new Dictionary<(string Role, int Shot, bool Mask), string>();
        foreach (var file in Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal))
        {
            if (Role(file) is not { } key) continue;
            if (found.TryGetValue(key, out var other))
                throw new DatasetException($"The episode folder '{folder}' has two {Describe(key)} files, '{Path.GetFileName(other)}' and '{Path.GetFileName(file)}': keep one.");
            found[key] = file;
        }
        string Need((string, int, bool) key, string example) => found.TryGetValue(key, out var f) ? f
            : throw new DatasetException($"The episode folder '{folder}' has no {Describe(key)} ({example}): add it, or remove the folder (an episode folder holds {Layout}).");
        string query = Need(("query", 1, false), "query.jpg");
        string queryMask = Need(("query", 1, true), "query-mask.png");
        var shots = found.Keys.Where(k => k.Role == "reference").Select(k => k.Shot).Distinct().Order().ToList();
        if (shots.Count == 0) Need(("reference", 1, false), "reference.jpg");
        var references = new List<EpisodeShotFiles>();
        foreach (int s in shots)
        {
            string suffix = s == 1 ? "" : $"-{s}";
            if (!found.TryGetValue(("reference", s, false), out var image))
                throw new DatasetException($"The episode folder '{folder}' has the reference mask '{Path.GetFileName(found[("reference", s, true)])}' but no reference{suffix}.<img>: add the image, or remove the mask.");
            if (!found.TryGetValue(("reference", s, true), out var mask))
                throw new DatasetException($"The episode folder '{folder}' has the reference image '{Path.GetFileName(image)}' but no mask for it (reference{suffix}-mask.png): add the mask, or remove the image.");
            references.Add(new EpisodeShotFiles(image, mask));
        }
        return new EpisodeFiles(Path.GetFileName(folder), folder, references, query, queryMask);
    }

    private static string Describe((string Role, int Shot, bool Mask) key) =>
        $"{key.Role}{(key.Shot == 1 ? "" : $" {key.Shot}")} {(key.Mask ? "mask" : "image")}";

    private static void CheckImages(EpisodeFiles e)
    {
        foreach (var s in e.References) CheckPair(s.Image, "reference image", s.Mask, "reference mask");
        CheckPair(e.Query, "query image", e.QueryMask, "query mask");
    }

    private static void CheckPair(string image, string imageWhat, string mask, string maskWhat)
    {
        var (w, h) = Identify(image, imageWhat);
        var (mw, mh) = Identify(mask, maskWhat);
        CheckSize(mask, mw, mh, image, w, h);
    }

    private static void CheckSize(string mask, int mw, int mh, string image, int w, int h)
    {
        if (mw != w || mh != h)
            throw new DatasetException($"The mask '{mask}' is {mw}×{mh} but its image '{image}' is {w}×{h}: a mask must have its image's size (resize it with nearest-neighbour; ≥ 128 = object).");
    }

    /// <summary>The size a file's header declares; a file that is no readable image fails here, before any episode runs.</summary>
    private static (int Width, int Height) Identify(string path, string what)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
            var info = Image.Identify(ImageDecoding.Configuration, stream)
                       ?? throw new DatasetException($"The {what} '{path}' is not a readable image (not a format the SDK reads): replace it, or remove its episode folder.");
            return (info.Width, info.Height);
        }
        catch (Exception e) when (e is not DatasetException && (e is IOException or UnauthorizedAccessException || ImageDecoding.IsDecoderFailure(e)))
        {
            throw new DatasetException($"The {what} '{path}' is not a readable image ({e.Message.ReplaceLineEndings(" ")}): replace it, or remove its episode folder.", e);
        }
    }
}
