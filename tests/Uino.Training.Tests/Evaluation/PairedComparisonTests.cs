using NUnit.Framework;
using Uino.Training.Evaluation;

namespace Uino.Training.Tests.Evaluation;

public class PairedComparisonTests
{
    /// <summary>Scores of <paramref name="n"/> episodes over 4 classes, each 100 pixels of union, intersections drawn around <paramref name="mean"/>.</summary>
    private static List<EpisodeScore> Scores(int n, int mean, int spread, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => new EpisodeScore(i % 4, Math.Clamp(mean + random.Next(-spread, spread + 1), 0, 100), 100)).ToList();
    }

    [Test]
    public void Difference_IsTheDifferenceOfTheMetricsMeanIoU()
    {
        // Built through FssMetrics.Add: class 3 episodes 1/3 and 2/2, class 7 0/1 (as MetricsAndLossTests) vs all right.
        var a = new FssMetrics();
        a.Add(3, new byte[] { 1, 0, 0, 1, 1, 0 }, new byte[] { 1, 1, 0, 0, 255, 0 });
        a.Add(3, new byte[] { 1, 1 }, new byte[] { 1, 1 });
        a.Add(7, new byte[] { 0, 0 }, new byte[] { 0, 1 });
        var b = new FssMetrics();
        b.Add(3, new byte[] { 1, 1, 0, 0, 0, 0 }, new byte[] { 1, 1, 0, 0, 255, 0 });
        b.Add(3, new byte[] { 1, 1 }, new byte[] { 1, 1 });
        b.Add(7, new byte[] { 0, 1 }, new byte[] { 0, 1 });
        Assert.That(a.Scores, Is.EqualTo(new[] { new EpisodeScore(3, 1, 3), new EpisodeScore(3, 2, 2), new EpisodeScore(7, 0, 1) }));

        var d = PairedComparison.Compare(a.Scores, b.Scores, resamples: 500);
        Assert.That(d.Difference, Is.EqualTo(a.MeanIoU - b.MeanIoU).Within(1e-9));
        Assert.That(d.Difference, Is.EqualTo(30.0 - 100.0).Within(1e-9));
        Assert.That(d.Lower95, Is.LessThanOrEqualTo(d.Difference));
        Assert.That(d.Upper95, Is.GreaterThanOrEqualTo(d.Difference));
    }

    [Test]
    public void SameScores_GiveZeroWithAZeroInterval()
    {
        var a = Scores(300, 50, 30, seed: 1);
        var d = PairedComparison.Compare(a, a);
        Assert.That((d.Difference, d.Lower95, d.Upper95), Is.EqualTo((0.0, 0.0, 0.0)));
        Assert.That(d.Resamples, Is.EqualTo(2000));
    }

    [Test]
    public void ASmallConsistentLead_IsClear_EvenWhenEpisodesVaryMuchMore()
    {
        // Episodes vary by ±30 points, but A is 2 points above B on every one: the paired interval excludes 0.
        var b = Scores(300, 50, 30, seed: 2);
        var a = b.Select(s => s with { Intersection = s.Intersection + 2 }).ToList();
        var d = PairedComparison.Compare(a, b);
        Assert.That(d.Difference, Is.EqualTo(2.0).Within(1e-6));
        Assert.That(d.Lower95, Is.GreaterThan(1.5));
        Assert.That(d.Upper95, Is.LessThan(2.5));
        var reversed = PairedComparison.Compare(b, a);
        Assert.That(reversed.Difference, Is.EqualTo(-2.0).Within(1e-6));
        Assert.That(reversed.Upper95, Is.LessThan(0));
    }

    [Test]
    public void NoRealDifference_GivesAnIntervalAroundZero()
    {
        // Two independent draws of the same distribution: the interval must contain 0.
        var a = Scores(300, 50, 30, seed: 3);
        var b = Scores(300, 50, 30, seed: 4);
        var d = PairedComparison.Compare(a, b, seed: 5);
        Assert.That(d.Lower95, Is.LessThan(0));
        Assert.That(d.Upper95, Is.GreaterThan(0));
        Assert.That(d.Upper95 - d.Lower95, Is.GreaterThan(1.0), "independent episodes of ±30 spread are not a tight comparison");
        Assert.That(PairedComparison.Compare(a, b, seed: 5), Is.EqualTo(d), "the interval is a pure function of its seed");
    }

    [Test]
    public void DifferentEpisodes_AreRefused()
    {
        var a = Scores(10, 50, 10, seed: 6);
        var ex = Assert.Throws<ArgumentException>(() => PairedComparison.Compare(a, a.Take(9).ToList()));
        Assert.That(ex!.Message, Does.Contain("same episodes"));
        var shifted = a.Select((s, i) => i == 4 ? s with { ClassId = 99 } : s).ToList();
        ex = Assert.Throws<ArgumentException>(() => PairedComparison.Compare(a, shifted));
        Assert.That(ex!.Message, Does.Contain("Episode 4").And.Contain("99"));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare(new List<EpisodeScore>(), new List<EpisodeScore>()));
    }

    /// <summary>Per-episode scores (uino eval --episodes DIR): the difference of the plain means, the interval around
    /// it, tight for a consistent lead; the same refusals.</summary>
    [Test]
    public void CompareMeans_IsTheDifferenceOfTheMeans_WithAPairedInterval()
    {
        var random = new Random(8);
        var b = Enumerable.Range(0, 200).Select(_ => random.NextDouble() * 100).ToList();
        var a = b.Select((x, i) => x + (i % 2 == 0 ? 1.0 : 3.0)).ToList();
        var d = PairedComparison.CompareMeans(a, b);
        Assert.That(d.Difference, Is.EqualTo(a.Average() - b.Average()).Within(1e-9));
        Assert.That(d.Difference, Is.EqualTo(2.0).Within(1e-9));
        Assert.That(d.Lower95, Is.InRange(1.5, 2.0));
        Assert.That(d.Upper95, Is.InRange(2.0, 2.5));
        Assert.That(d.Resamples, Is.EqualTo(2000));
        Assert.That(PairedComparison.CompareMeans(b, b), Is.EqualTo(new MeanIoUDifference(0, 0, 0, 2000)));
        Assert.Throws<ArgumentException>(() => PairedComparison.CompareMeans(a, b.Take(10).ToList()));
        Assert.Throws<ArgumentException>(() => PairedComparison.CompareMeans(new List<double>(), new List<double>()));
    }
}
