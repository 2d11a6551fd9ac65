using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Synthetic;

/// <summary>
/// Draws the extra synthetic classes (ids ≥ <see cref="SyntheticClass.Count"/>): a pattern family and two colours
/// from the class id alone. They exist to give training an open-ended pool of base classes, so an encoder trained
/// from scratch has to learn to compare support and query instead of memorising 36 catalog classes (the role
/// DINOv2's pre-training on 142M images plays in the paper). An extra class never repeats a catalog class: both its
/// colours stay at least <see cref="MinCatalogDistance"/> (RGB) from both colours of every catalog class of the same
/// family, far beyond the instance jitter, so no catalog class (base or novel, of any fold) reappears among them.
/// </summary>
internal static class ExtraClasses
{
    /// <summary>Minimum RGB distance of an extra class's colours from those of same-family catalog classes.</summary>
    public const float MinCatalogDistance = 80f;

    /// <summary>Minimum RGB distance between an extra class's own two colours, so its pattern is visible.</summary>
    public const float MinContrast = 110f;

    public static SyntheticClass Create(int id)
    {
        var rng = new SceneRandom(0x5EED_E47A_0000UL + (ulong)id);
        var family = (PatternFamily)rng.Next(SyntheticClass.FamilyCount);
        var forbidden = SyntheticClass.All.Where(c => c.Family == family).SelectMany(c => new[] { c.Primary, c.Secondary }).ToArray();
        while (true)
        {
            // The second colour is a mid grey one draw in ten (near-white and near-black are every family's catalog
            // colours, so they are never free). Ids fix the draws, so the loop's length is fixed too (see the tests).
            var a = ColorMath.FromHsv(rng.Range(0f, 360f), rng.Range(0.4f, 1f), rng.Range(0.35f, 1f));
            var b = rng.NextFloat() < 0.1f
                ? ColorMath.FromHsv(0f, 0f, rng.Range(0.42f, 0.68f))
                : ColorMath.FromHsv(rng.Range(0f, 360f), rng.Range(0.3f, 1f), rng.Range(0.3f, 1f));
            if (Distance(a, b) < MinContrast || forbidden.Any(f => Distance(a, f) < MinCatalogDistance || Distance(b, f) < MinCatalogDistance))
                continue;
            float period = SyntheticClass.DrawPeriod(family, ref rng);
            float angle = rng.Range(0f, 180f);
            return new SyntheticClass(id, family, palette: -1, a, b, period, angle);
        }
    }

    public static float Distance(Rgb24 x, Rgb24 y)
    {
        float dr = x.R - y.R, dg = x.G - y.G, db = x.B - y.B;
        return MathF.Sqrt(dr * dr + dg * dg + db * db);
    }
}
