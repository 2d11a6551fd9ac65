using System.Globalization;

namespace Uino.Training.Data.RealPhotos;

/// <summary>One photo an episode image drew on: its part (target, background, distractor, occluder, photo), "set:stem" and class (−1: unlabelled).</summary>
public sealed record RealSource(string Part, string Photo, int ClassId);

/// <summary>
/// The provenance an episode image carries in <see cref="LabelledImage.Name"/>:
/// <c>real|instance|query|e12|target=leeds_butterfly:0010001#1|background=bsds500:100075#-1|distractor=…#1</c>.
/// Kind is instance (copy-paste of one object) or class (a photo of the class as it is); for an instance pair the
/// <c>target</c> (or, for a support kept in its own photo, the <c>photo</c>) is the same photo in every image.
/// </summary>
public sealed record RealEpisodeName(string Kind, string Role, int Index, IReadOnlyList<RealSource> Sources)
{
    public const string Instance = "instance", Class = "class";

    public override string ToString() =>
        string.Join('|', new[] { "real", Kind, Role, "e" + Index.ToString(CultureInfo.InvariantCulture) }
            .Concat(Sources.Select(s => $"{s.Part}={s.Photo}#{s.ClassId.ToString(CultureInfo.InvariantCulture)}")));

    /// <summary>Reads a name written by <see cref="ToString"/>; throws <see cref="FormatException"/> otherwise.</summary>
    public static RealEpisodeName Parse(string name)
    {
        var parts = name.Split('|');
        if (parts.Length < 4 || parts[0] != "real" || !parts[3].StartsWith('e'))
            throw new FormatException($"not a real-photo episode name: '{name}'");
        var sources = new List<RealSource>();
        foreach (var p in parts.Skip(4))
        {
            int eq = p.IndexOf('='), hash = p.LastIndexOf('#');
            if (eq < 1 || hash < eq) throw new FormatException($"bad source '{p}' in '{name}'");
            sources.Add(new RealSource(p[..eq], p[(eq + 1)..hash], int.Parse(p[(hash + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
        }
        return new RealEpisodeName(parts[1], parts[2], int.Parse(parts[3][1..], CultureInfo.InvariantCulture), sources);
    }
}
