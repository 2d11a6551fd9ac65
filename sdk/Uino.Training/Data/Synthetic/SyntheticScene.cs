using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Synthetic;

/// <summary>
/// A generated scene: the labelled image (mask 1 exactly on the visible pixels of the target class's objects,
/// 0 elsewhere; no ignore band) and what was drawn, for checks.
/// </summary>
public sealed record SyntheticScene(LabelledImage Labelled, int TargetClass, int TargetObjects, IReadOnlyList<int> DistractorClasses)
    : IDisposable
{
    public void Dispose() => Labelled.Dispose();

    /// <summary>Default scene side in pixels.</summary>
    public const int DefaultSize = 256;

    /// <summary>
    /// Draws a scene of <paramref name="width"/>×<paramref name="height"/> pixels, fully determined by
    /// (<paramref name="targetClass"/>, <paramref name="seed"/>, size, pool): a muted smooth-noise background with
    /// low-contrast background shapes, 1–2 objects of the target class and 1–3 distractor objects of other classes of
    /// <paramref name="distractorPool"/> (the target is never used as a distractor), in random depth order.
    /// Object outlines (ellipses, rounded polygons, blobs) span 10–45% of the shorter side; objects may overlap and
    /// leave the frame, but a target object is brought to the front when less than 40% of it would stay visible.
    /// With <paramref name="hard"/>, each distractor is with its chance one of the target's look-alikes instead.
    /// </summary>
    public static SyntheticScene Generate(
        int targetClass, ulong seed, IReadOnlyList<int> distractorPool, int width = DefaultSize, int height = DefaultSize,
        string? name = null, HardDistractors? hard = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        var target = SyntheticClass.Get(targetClass);
        var rng = new SceneRandom(seed);
        float side = Math.Min(width, height), scale = side / SyntheticClass.ReferenceSide;

        // Background: two muted colours blended by two octaves of value noise, and a global lighting gradient.
        float hue = rng.Range(0f, 360f);
        var bg0 = ColorMath.FromHsv(hue, rng.Range(0.04f, 0.28f), rng.Range(0.3f, 0.75f));
        var bg1 = ColorMath.FromHsv((hue + rng.Range(-50f, 50f) + 360f) % 360f, rng.Range(0.04f, 0.28f), rng.Range(0.3f, 0.75f));
        var background = new Background(bg0, bg1, 1f / (side * rng.Range(0.25f, 0.45f)), rng.NextU32(),
            rng.Range(-0.15f, 0.15f) / width, rng.Range(-0.15f, 0.15f) / height, width, height, (uint)rng.NextU64());

        // Owner index 0 is the background; then background shapes; then objects. At most 1 + 6 + 2 + 3 owners.
        var appearances = new List<Appearance> { default };
        var polygons = new List<Polygon?> { null };
        var isTarget = new List<bool> { false };

        int backgroundShapes = rng.Between(2, 6);
        for (int i = 0; i < backgroundShapes; i++)
        {
            float radius = side * rng.Range(0.06f, 0.25f), cx = rng.Range(0f, width), cy = rng.Range(0f, height);
            var kind = (ShapeKind)rng.Next(3);
            var polygon = Polygon.Create(kind, ref rng, cx, cy, radius);
            var colour = ColorMath.FromHsv(rng.Range(0f, 360f), rng.Range(0.03f, 0.25f), rng.Range(0.25f, 0.8f));
            var second = ColorMath.Jitter(colour, 0f, 1f, rng.Range(0.75f, 1.25f));
            float angle = rng.Range(0f, MathF.PI);
            var family = (PatternFamily)rng.Next(SyntheticClass.FamilyCount);
            appearances.Add(new Appearance(family, colour, second, cx, cy, MathF.Cos(angle), MathF.Sin(angle),
                1f / (scale * rng.Range(8f, 24f)), rng.Range(0f, 4f), rng.Range(0f, 4f), 0f, 0f, 0f, 0f, rng.NextU32(),
                contrast: 1f));
            polygons.Add(polygon);
            isTarget.Add(false);
        }
        int firstObject = appearances.Count;

        // Objects: targets and distractors (distinct other classes of the pool when it has enough).
        int targets = rng.NextFloat() < 0.7f ? 1 : 2;
        var candidates = distractorPool.Where(c => c != targetClass).Distinct().ToList();
        int distractorCount = candidates.Count == 0 ? 0 : rng.Between(1, 3);
        var distractors = new List<int>(distractorCount);
        for (int i = 0; i < distractorCount; i++)
        {
            // A hard distractor (training only) is a look-alike of the target: drawn from its near classes when the
            // pool still has one. Without hard distractors no extra draw is made, so scenes stay as they were.
            int pick = hard is not null && rng.NextFloat() < hard.Chance && NearIndices(candidates, hard.NearClasses) is { Count: > 0 } near
                ? near[rng.Next(near.Count)]
                : rng.Next(candidates.Count);
            distractors.Add(candidates[pick]);
            if (candidates.Count > distractorCount - i) candidates.RemoveAt(pick);
        }
        var objectClasses = new List<(SyntheticClass Class, bool Target)>();
        for (int i = 0; i < targets; i++) objectClasses.Add((target, true));
        foreach (int d in distractors) objectClasses.Add((SyntheticClass.Get(d), false));
        for (int i = objectClasses.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (objectClasses[i], objectClasses[j]) = (objectClasses[j], objectClasses[i]);
        }
        foreach (var (cls, isTargetObject) in objectClasses)
        {
            // Diameter 10-45% of the side, skewed towards larger objects (density rising linearly with size).
            float radius = 0.5f * side * (0.10f + 0.35f * MathF.Sqrt(rng.NextFloat()));
            float cx = width * rng.Range(0.12f, 0.88f), cy = height * rng.Range(0.12f, 0.88f);
            polygons.Add(Polygon.Create((ShapeKind)rng.Next(3), ref rng, cx, cy, radius));
            appearances.Add(cls.Instance(ref rng, cx, cy, radius, scale));
            isTarget.Add(isTargetObject);
        }

        // Rasterise in depth order; any target object left less than 40% visible is redrawn on top.
        var owner = new byte[width * height];
        var drawn = new int[polygons.Count];
        for (int o = 1; o < polygons.Count; o++) drawn[o] = polygons[o]!.Fill(owner, width, height, (byte)o);
        var targetOwner = isTarget.ToArray();
        Span<int> visible = stackalloc int[polygons.Count];
        foreach (byte o in owner) visible[o]++;
        for (int o = firstObject; o < polygons.Count; o++)
            if (targetOwner[o] && visible[o] < 0.4f * drawn[o]) polygons[o]!.Fill(owner, width, height, (byte)o);

        var image = new Image<Rgb24>(width, height);
        var ownerApp = appearances.ToArray();
        uint noiseSalt = rng.NextU32();
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
                RenderRow(accessor.GetRowSpan(y), y, owner.AsSpan(y * width, width), ownerApp, background, noiseSalt);
        });

        var mask = new byte[width * height];
        for (int i = 0; i < mask.Length; i++) mask[i] = targetOwner[owner[i]] ? (byte)1 : (byte)0;
        var labelled = new LabelledImage(image, new LabelMask(width, height, mask), name ?? $"synthetic/{target.Name}/{seed:x16}");
        return new SyntheticScene(labelled, targetClass, targets, distractors);
    }

    private static List<int> NearIndices(List<int> candidates, IReadOnlySet<int> nearClasses)
    {
        var indices = new List<int>();
        for (int i = 0; i < candidates.Count; i++)
            if (nearClasses.Contains(candidates[i])) indices.Add(i);
        return indices;
    }

    private static void RenderRow(Span<Rgb24> row, int y, ReadOnlySpan<byte> owner, Appearance[] appearances, Background bg, uint salt)
    {
        var blend = bg.Row(y);
        var (c0, c1) = (bg.C0, bg.C1);
        float dr = c1.R - c0.R, dg = c1.G - c0.G, db = c1.B - c0.B;
        float light = bg.Light(0, y), lightStep = bg.LightStepX;
        uint pixel = (uint)(y * row.Length) ^ salt;
        for (int x = 0; x < row.Length; x++, light += lightStep)
        {
            float r, g, b;
            int o = owner[x];
            if (o == 0)
            {
                float t = blend[x];
                r = c0.R + dr * t;
                g = c0.G + dg * t;
                b = c0.B + db * t;
            }
            else appearances[o].Shade(x, y, out r, out g, out b);
            // Mild per-pixel sensor noise (±3.5 levels), one hash per pixel.
            float noise = (SceneRandom.Hash(pixel + (uint)x) & 7) - 3.5f;
            row[x] = new Rgb24(ColorMath.ToByte(r * light + noise), ColorMath.ToByte(g * light + noise), ColorMath.ToByte(b * light + noise));
        }
    }

    /// <summary>
    /// The scene's muted background: two colours blended by two octaves of value noise, evaluated row by row from
    /// precomputed lattices (no hashing per pixel), under a global linear lighting gradient.
    /// </summary>
    private sealed class Background
    {
        private readonly Octave _coarse, _fine;
        private readonly float _gx, _gy, _halfW, _halfH;
        private readonly float[] _blend;

        public Background(Rgb24 c0, Rgb24 c1, float frequency, uint salt, float gx, float gy, int width, int height, uint salt2)
        {
            C0 = c0;
            C1 = c1;
            _coarse = new Octave(frequency, width, height, salt, 0.7f);
            _fine = new Octave(frequency * 3.1f, width, height, salt2, 0.3f);
            _gx = gx;
            _gy = gy;
            _halfW = 0.5f * width;
            _halfH = 0.5f * height;
            _blend = new float[width];
        }

        public Rgb24 C0 { get; }
        public Rgb24 C1 { get; }
        public float LightStepX => _gx;

        /// <summary>The blend weight between <see cref="C0"/> and <see cref="C1"/> along row y (reused buffer).</summary>
        public ReadOnlySpan<float> Row(int y)
        {
            _blend.AsSpan().Clear();
            _coarse.AddRow(y, _blend);
            _fine.AddRow(y, _blend);
            return _blend;
        }

        public float Light(int x, int y) => 1f + _gx * (x - _halfW) + _gy * (y - _halfH);

        private sealed class Octave
        {
            private readonly float _frequency, _weight;
            private readonly int _columns;
            private readonly float[] _lattice, _row;

            public Octave(float frequency, int width, int height, uint salt, float weight)
            {
                _frequency = frequency;
                _weight = weight;
                _columns = (int)(width * frequency) + 2;
                int rows = (int)(height * frequency) + 2;
                _lattice = new float[_columns * rows];
                for (int j = 0; j < rows; j++)
                    for (int i = 0; i < _columns; i++)
                        _lattice[j * _columns + i] = SceneRandom.Cell(i, j, salt);
                _row = new float[_columns];
            }

            /// <summary>Adds this octave's weighted noise along row y to <paramref name="blend"/>.</summary>
            public void AddRow(int y, float[] blend)
            {
                float fy = y * _frequency;
                int iy = (int)fy;
                float ty = fy - iy;
                ty = ty * ty * (3 - 2 * ty);
                var top = _lattice.AsSpan(iy * _columns, _columns);
                var bottom = _lattice.AsSpan((iy + 1) * _columns, _columns);
                var row = _row;
                for (int i = 0; i < _columns; i++) row[i] = _weight * (top[i] + (bottom[i] - top[i]) * ty);
                for (int x = 0; x < blend.Length; x++)
                {
                    float fx = x * _frequency;
                    int ix = (int)fx;
                    float tx = fx - ix;
                    tx = tx * tx * (3 - 2 * tx);
                    blend[x] += row[ix] + (row[ix + 1] - row[ix]) * tx;
                }
            }
        }
    }
}
