using System.Collections.Concurrent;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Synthetic;

/// <summary>The texture family of a synthetic class.</summary>
public enum PatternFamily
{
    Stripes,
    Checkerboard,
    Dots,
    Rings,
    Blobs,
    Waves,
    Speckle,
    Grid,
}

/// <summary>
/// One class of the synthetic benchmark: a procedural appearance derived deterministically from its id, namely a
/// <see cref="PatternFamily"/> times a two-colour palette, with a class-specific period and orientation.
/// Ids are <c>6 * family + palette</c>, so every (family, palette) pair is one class and any two classes differ in
/// pattern, in colours, or in both. Instances jitter hue, saturation, brightness, period, rotation and phase.
/// Ids from <see cref="Count"/> on are <em>extra</em> classes (<see cref="IsExtra"/>): open-ended training classes
/// with a drawn pattern family and a drawn two-colour palette, for base pools larger than the catalog's.
/// </summary>
public sealed record SyntheticClass
{
    /// <summary>Number of classes: 8 pattern families times 6 palettes.</summary>
    public const int Count = FamilyCount * PaletteCount;
    public const int FamilyCount = 8;
    public const int PaletteCount = 6;

    /// <summary>Image side the class periods are given for; scenes of other sizes scale them.</summary>
    public const float ReferenceSide = 256f;

    private static readonly (string Name, Rgb24 A, Rgb24 B)[] Palettes =
    [
        ("red-yellow", new Rgb24(215, 35, 35), new Rgb24(245, 215, 50)),
        ("blue-white", new Rgb24(35, 75, 215), new Rgb24(240, 240, 240)),
        ("green-black", new Rgb24(40, 170, 55), new Rgb24(20, 20, 20)),
        ("magenta-cyan", new Rgb24(205, 45, 195), new Rgb24(45, 210, 220)),
        ("orange-purple", new Rgb24(250, 135, 20), new Rgb24(95, 35, 150)),
        ("teal-pink", new Rgb24(0, 120, 120), new Rgb24(255, 150, 190)),
    ];

    private static readonly SyntheticClass[] Catalog = Enumerable.Range(0, Count).Select(Create).ToArray();

    /// <summary>All classes, indexed by id.</summary>
    public static IReadOnlyList<SyntheticClass> All => Catalog;

    /// <summary>Number of extra classes that exist (ids <see cref="Count"/> .. Count + MaxExtraClasses − 1).</summary>
    public const int MaxExtraClasses = 100_000;

    private static readonly ConcurrentDictionary<int, SyntheticClass> Extras = new();

    /// <summary>A catalog class (id &lt; <see cref="Count"/>) or an extra class (see <see cref="IsExtra"/>).</summary>
    public static SyntheticClass Get(int id) =>
        (uint)id < Count ? Catalog[id]
        : (uint)(id - Count) < MaxExtraClasses ? Extras.GetOrAdd(id, ExtraClasses.Create)
        : throw new ArgumentOutOfRangeException(nameof(id), id,
            $"Synthetic class ids are 0..{Count - 1} (the catalog) and {Count}..{Count + MaxExtraClasses - 1} (extra classes).");

    public int Id { get; }
    public PatternFamily Family { get; }
    /// <summary>The catalog palette, 0..5; −1 for an extra class, whose colours are drawn.</summary>
    public int PaletteIndex { get; }
    /// <summary>True for ids ≥ <see cref="Count"/>: a drawn class that repeats no colour of a catalog class of its family.</summary>
    public bool IsExtra => Id >= Count;
    public string PaletteName => IsExtra ? $"{Hex(Primary)}-{Hex(Secondary)}" : Palettes[PaletteIndex].Name;
    /// <summary>The pattern's foreground colour (stripes, dots, grid lines, rings, speckle ground).</summary>
    public Rgb24 Primary { get; }
    /// <summary>The pattern's second colour.</summary>
    public Rgb24 Secondary { get; }
    /// <summary>Pattern period in pixels at a <see cref="ReferenceSide"/>-pixel scene.</summary>
    public float Period { get; }
    /// <summary>Pattern orientation in degrees (instances rotate it by up to ±15°).</summary>
    public float AngleDegrees { get; }
    /// <summary>Readable name, e.g. <c>dots-magenta-cyan</c>.</summary>
    public string Name => (IsExtra ? $"x{Id}-" : "") + $"{Family.ToString().ToLowerInvariant()}-{PaletteName}";

    private static string Hex(Rgb24 c) => $"{c.R:x2}{c.G:x2}{c.B:x2}";

    internal SyntheticClass(int id, PatternFamily family, int palette, Rgb24 primary, Rgb24 secondary, float period, float angle)
    {
        Id = id;
        Family = family;
        PaletteIndex = palette;
        Primary = primary;
        Secondary = secondary;
        Period = period;
        AngleDegrees = angle;
    }

    private static SyntheticClass Create(int id)
    {
        var family = (PatternFamily)(id / PaletteCount);
        int palette = id % PaletteCount;
        var rng = new SceneRandom(0x5EED_C1A5_5000UL + (ulong)id);
        var (_, a, b) = Palettes[palette];
        bool swap = rng.Next(2) == 1;
        float period = DrawPeriod(family, ref rng);
        float angle = rng.Range(0f, 180f);
        return new SyntheticClass(id, family, palette, swap ? b : a, swap ? a : b, period, angle);
    }

    /// <summary>A class's pattern period at <see cref="ReferenceSide"/>, by family (coarser for blobs and grids).</summary>
    internal static float DrawPeriod(PatternFamily family, ref SceneRandom rng) => family switch
    {
        PatternFamily.Speckle => rng.Range(10f, 14f),
        PatternFamily.Blobs => rng.Range(20f, 28f),
        PatternFamily.Dots => rng.Range(11f, 16f),
        PatternFamily.Grid => rng.Range(12f, 18f),
        _ => rng.Range(9f, 16f),
    };

    /// <summary>
    /// A jittered instance of this class's appearance for an object centred at (cx, cy) of radius
    /// <paramref name="radius"/> in a scene whose periods scale by <paramref name="scale"/>.
    /// </summary>
    internal Appearance Instance(ref SceneRandom rng, float cx, float cy, float radius, float scale)
    {
        float hue = rng.Range(-8f, 8f), sat = rng.Range(0.88f, 1.08f), val = rng.Range(0.85f, 1.1f);
        var a = ColorMath.Jitter(Primary, hue, sat, val);
        var b = ColorMath.Jitter(Secondary, hue, sat, val);
        float period = Period * scale * rng.Range(0.88f, 1.14f);
        float angle = (AngleDegrees + rng.Range(-15f, 15f)) * (MathF.PI / 180f);
        float shadeAngle = rng.Range(0f, 2 * MathF.PI);
        float shade = rng.Range(0f, 0.14f) / MathF.Max(radius, 1f);
        return new Appearance(
            Family, a, b, cx, cy, MathF.Cos(angle), MathF.Sin(angle), 1f / period,
            rng.NextFloat() * 8f, rng.NextFloat() * 8f,
            rng.Range(-0.3f, 0.3f) * radius / period, rng.Range(-0.3f, 0.3f) * radius / period,
            shade * MathF.Cos(shadeAngle), shade * MathF.Sin(shadeAngle), rng.NextU32(), contrast: 1f);
    }

    /// <summary>
    /// A square of this class's texture alone (one instance drawn from <paramref name="seed"/>, no scene), for
    /// previews and statistics. <paramref name="scale"/> multiplies the period as a scene side of 256·scale would.
    /// </summary>
    public Image<Rgb24> Swatch(int size, ulong seed, float scale = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var rng = new SceneRandom(seed);
        float c = 0.5f * size;
        var appearance = Instance(ref rng, c, c, c, scale);
        var image = new Image<Rgb24>(size, size);
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    appearance.Shade(x, y, out float r, out float g, out float b);
                    row[x] = new Rgb24(ColorMath.ToByte(r), ColorMath.ToByte(g), ColorMath.ToByte(b));
                }
            }
        });
        return image;
    }
}
