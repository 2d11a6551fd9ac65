using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Training.Data.Synthetic;

namespace Uino.Training.Tests.Synthetic;

[TestFixture]
public sealed class SyntheticClassTests
{
    [Test]
    public void CatalogHasEveryFamilyAndPaletteOnce()
    {
        Assert.That(SyntheticClass.All, Has.Count.EqualTo(48));
        Assert.That(SyntheticClass.All.Select(c => c.Id), Is.EqualTo(Enumerable.Range(0, 48)));
        var pairs = SyntheticClass.All.Select(c => (c.Family, c.PaletteIndex)).ToHashSet();
        Assert.That(pairs, Has.Count.EqualTo(48));
        Assert.That(SyntheticClass.All.Select(c => c.Name).Distinct().Count(), Is.EqualTo(48));
        Assert.That(SyntheticClass.All.Any(c => c.IsExtra), Is.False);
        Assert.That(() => SyntheticClass.Get(48 + SyntheticClass.MaxExtraClasses), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => SyntheticClass.Get(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void SwatchesAreDeterministicAndInstancesVary()
    {
        var cls = SyntheticClass.Get(17);
        using var a = cls.Swatch(48, 5);
        using var b = cls.Swatch(48, 5);
        using var c = cls.Swatch(48, 6);
        Assert.That(SyntheticSceneTests.Pixels(b), Is.EqualTo(SyntheticSceneTests.Pixels(a)));
        Assert.That(SyntheticSceneTests.Pixels(c), Is.Not.EqualTo(SyntheticSceneTests.Pixels(a)));
    }

    /// <summary>
    /// A colour-and-texture signature: a coarse colour histogram (3 levels per channel) and how often the colour
    /// changes between pixels 1..16 px apart along four directions (an autocorrelation profile: period, orientation).
    /// </summary>
    private static double[] Signature(Image<Rgb24> image)
    {
        var pixels = SyntheticSceneTests.Pixels(image);
        int w = image.Width, h = image.Height;
        var histogram = new double[27];
        for (int i = 0; i < pixels.Length; i += 3)
            histogram[pixels[i] * 3 / 256 * 9 + pixels[i + 1] * 3 / 256 * 3 + pixels[i + 2] * 3 / 256] += 1.0 / (w * h);
        var features = new List<double>(histogram);
        foreach (int d in new[] { 1, 2, 3, 4, 6, 8, 12, 16 })
            foreach (var (dx, dy) in new[] { (d, 0), (0, d), (d, d), (d, -d) })
            {
                int changes = 0, pairs = 0;
                for (int y = Math.Max(0, -dy); y < h - Math.Max(0, dy); y += 2)
                    for (int x = 0; x < w - dx; x += 2)
                    {
                        int p = (y * w + x) * 3, q = ((y + dy) * w + x + dx) * 3;
                        if (L1(pixels, p, q) > 90) changes++;
                        pairs++;
                    }
                features.Add(changes / (double)pairs);
            }
        return features.ToArray();
    }

    private static int L1(byte[] p, int a, int b) =>
        Math.Abs(p[a] - p[b]) + Math.Abs(p[a + 1] - p[b + 1]) + Math.Abs(p[a + 2] - p[b + 2]);

    /// <summary>
    /// Every class must be recognisable from its pixels alone: a nearest-centroid classifier over a simple
    /// colour-and-texture signature, fitted on some instances, must name unseen instances of each class correctly.
    /// </summary>
    [Test]
    public void ClassesAreDistinguishableByASimpleStatistic()
    {
        const int train = 6, test = 4, size = 96;
        var centroids = new double[SyntheticClass.Count][];
        var held = new List<(int Class, double[] Signature)>();
        foreach (var cls in SyntheticClass.All)
        {
            var signatures = Enumerable.Range(0, train + test).Select(i =>
            {
                using var swatch = cls.Swatch(size, (ulong)(1000 * cls.Id + i));
                return Signature(swatch);
            }).ToArray();
            centroids[cls.Id] = Enumerable.Range(0, signatures[0].Length)
                .Select(f => signatures.Take(train).Average(s => s[f])).ToArray();
            held.AddRange(signatures.Skip(train).Select(s => (cls.Id, s)));
        }
        int dims = centroids[0].Length;
        double Dist(double[] a, double[] b) => Enumerable.Range(0, dims).Sum(f => (a[f] - b[f]) * (a[f] - b[f]));

        int correct = 0;
        var errors = new List<string>();
        foreach (var (cls, signature) in held)
        {
            int predicted = Enumerable.Range(0, SyntheticClass.Count).MinBy(c => Dist(signature, centroids[c]));
            if (predicted == cls) correct++;
            else errors.Add($"{SyntheticClass.Get(cls).Name} -> {SyntheticClass.Get(predicted).Name}");
        }
        double accuracy = correct / (double)held.Count;
        TestContext.Out.WriteLine($"nearest-centroid accuracy {accuracy:P1}; errors: {string.Join(", ", errors)}");
        Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.9));

        // And no two class centroids sit on top of each other.
        double closest = double.MaxValue;
        for (int i = 0; i < SyntheticClass.Count; i++)
            for (int j = i + 1; j < SyntheticClass.Count; j++)
                closest = Math.Min(closest, Dist(centroids[i], centroids[j]));
        TestContext.Out.WriteLine($"closest pair of class centroids: {closest:F3} (squared distance)");
        Assert.That(closest, Is.GreaterThan(0.05));
    }
}
