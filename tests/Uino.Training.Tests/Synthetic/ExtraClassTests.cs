using NUnit.Framework;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;

namespace Uino.Training.Tests.Synthetic;

/// <summary>The drawn training classes beyond the catalog (<c>--extra-classes</c>).</summary>
[TestFixture]
public sealed class ExtraClassTests
{
    private static float Distance(Rgb24 x, Rgb24 y) =>
        MathF.Sqrt((x.R - y.R) * (x.R - y.R) + (x.G - y.G) * (x.G - y.G) + (x.B - y.B) * (x.B - y.B));

    [Test]
    public void ExtraClassesAreDeterministicVariedAndRepeatNoCatalogClass()
    {
        var extras = Enumerable.Range(SyntheticClass.Count, 2000).Select(SyntheticClass.Get).ToArray();
        Assert.That(extras.Select(c => c.Id), Is.EqualTo(Enumerable.Range(SyntheticClass.Count, 2000)));
        Assert.That(extras.All(c => c.IsExtra && c.PaletteIndex == -1), Is.True);
        Assert.That(extras.Select(c => c.Name).Distinct().Count(), Is.EqualTo(2000), "names are unique");
        // Every family is drawn, roughly evenly (250 each expected).
        var perFamily = extras.GroupBy(c => c.Family).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(perFamily.Keys, Has.Count.EqualTo(SyntheticClass.FamilyCount));
        Assert.That(perFamily.Values.Min(), Is.GreaterThan(180), string.Join(", ", perFamily));
        // Colours are really drawn: many distinct primaries, both achromatic and chromatic seconds.
        Assert.That(extras.Select(c => c.Primary).Distinct().Count(), Is.GreaterThan(1900));
        Assert.That(extras.Count(c => c.Secondary.R == c.Secondary.G && c.Secondary.G == c.Secondary.B), Is.InRange(150, 600));
        foreach (var extra in extras)
        {
            Assert.That(Distance(extra.Primary, extra.Secondary), Is.GreaterThanOrEqualTo(110f), extra.Name);
            foreach (var catalog in SyntheticClass.All.Where(c => c.Family == extra.Family))
                foreach (var colour in new[] { catalog.Primary, catalog.Secondary })
                {
                    Assert.That(Distance(extra.Primary, colour), Is.GreaterThanOrEqualTo(80f), $"{extra.Name} vs {catalog.Name}");
                    Assert.That(Distance(extra.Secondary, colour), Is.GreaterThanOrEqualTo(80f), $"{extra.Name} vs {catalog.Name}");
                }
        }
        // The same id gives the same class (ids, not call order, define them).
        var again = SyntheticClass.Get(SyntheticClass.Count + 1234);
        Assert.That((again.Family, again.Primary, again.Secondary, again.Period, again.AngleDegrees),
            Is.EqualTo((extras[1234].Family, extras[1234].Primary, extras[1234].Secondary, extras[1234].Period, extras[1234].AngleDegrees)));
    }

    [Test]
    public void TrainingPoolAddsExtrasAndNovelSplitStaysTheCatalogs()
    {
        var train = new SyntheticFewShotDataset(2, FewShotSplit.Train, 64, extraClasses: 100);
        var novel = new SyntheticFewShotDataset(2, FewShotSplit.Val, 64);
        Assert.That(train.Classes, Has.Count.EqualTo(136));
        Assert.That(train.Classes.Take(36), Is.EqualTo(SyntheticFewShotDataset.BaseClasses(2)));
        Assert.That(train.Classes.Skip(36), Is.EqualTo(Enumerable.Range(48, 100)));
        Assert.That(train.Classes.Intersect(novel.Classes), Is.Empty);
        Assert.That(train.ImagesPerClass.Keys.Order(), Is.EqualTo(train.Classes));

        // Episodes of extra classes are drawn, and their scenes hold the target and distractors from the same pool.
        var random = new Random(3);
        int extraEpisodes = 0;
        for (int i = 0; i < 20; i++)
        {
            var episode = train.Sample(random, 1, i);
            Assert.That(train.Classes, Does.Contain(episode.ClassId));
            if (SyntheticClass.Get(episode.ClassId).IsExtra) extraEpisodes++;
            Assert.That(episode.Query.Mask.Values.Count(v => v == 1), Is.GreaterThan(0), "the target is visible");
            episode.Dispose();
        }
        Assert.That(extraEpisodes, Is.GreaterThan(10), "100 of 136 classes are extra");
        using var scene = SyntheticScene.Generate(60, 9, train.Classes, 64, 64);
        Assert.That(scene.DistractorClasses.Intersect(novel.Classes), Is.Empty);
    }

    [Test]
    public void ExtraClassesAreRefusedWhereTheyDoNotBelong()
    {
        Assert.That(() => new SyntheticFewShotDataset(0, FewShotSplit.Val, 64, extraClasses: 5),
            Throws.ArgumentException.With.Message.Contains("novel split"));
        Assert.That(() => new SyntheticFewShotDataset(0, FewShotSplit.Train, 64, extraClasses: -1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => TrainingDatasets.Open("pascal", "/nonexistent", 0, FewShotSplit.Train, extraClasses: 10),
            Throws.TypeOf<DatasetException>().With.Message.Contains("synthetic dataset only"));
        Assert.That(() => TrainingDatasets.Open("synthetic", null, 0, FewShotSplit.Train, extraClasses: SyntheticClass.MaxExtraClasses + 1),
            Throws.TypeOf<DatasetException>().With.Message.Contains("extra classes is out of range"));
    }
}
