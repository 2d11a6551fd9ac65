using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using Uino.Training.Training;

namespace Uino.Training.Tests.Synthetic;

/// <summary>Look-alike distractors for training scenes (<c>--hard-distractors</c>).</summary>
[TestFixture]
public sealed class HardDistractorTests
{
    [Test]
    public void LookAlikesOfACatalogClassAreTheOtherFamiliesInItsPalette()
    {
        var pool = SyntheticFewShotDataset.BaseClasses(0);
        var near = HardDistractors.NearestByPalette(pool);
        Assert.That(near.Keys.Order(), Is.EqualTo(pool));
        // 10 = checkerboard orange-purple; the base classes in that palette are rings (22), waves (34) and grid (46).
        Assert.That(near[10], Has.Count.EqualTo(HardDistractors.NearCount));
        Assert.That(near[10], Is.SupersetOf(new[] { 22, 34, 46 }));
        foreach (var (id, set) in near)
        {
            var target = SyntheticClass.Get(id);
            Assert.That(set, Is.SubsetOf(pool), $"class {id}");
            Assert.That(set.Select(c => SyntheticClass.Get(c).Family), Has.None.EqualTo(target.Family), $"class {id}");
        }
    }

    [Test]
    public void LookAlikesOfDrawnClassesAreTheClosestPalettesOfOtherFamilies()
    {
        var pool = Enumerable.Range(SyntheticClass.Count, 2000).ToArray();
        var near = HardDistractors.NearestByPalette(pool);
        foreach (int id in pool.Take(40))
        {
            var target = SyntheticClass.Get(id);
            var others = pool.Select(SyntheticClass.Get).Where(c => c.Family != target.Family).ToArray();
            float worstNear = near[id].Max(c => HardDistractors.PaletteDistance(target, SyntheticClass.Get(c)));
            float bestFar = others.Where(c => !near[id].Contains(c.Id)).Min(c => HardDistractors.PaletteDistance(target, c));
            Assert.That(worstNear, Is.LessThanOrEqualTo(bestFar), $"class {id}");
            // Much closer than a typical pair: the median palette distance to the other families.
            float median = others.Select(c => HardDistractors.PaletteDistance(target, c)).Order().ElementAt(others.Length / 2);
            TestContext.Progress.WriteLine($"class {id}: farthest look-alike {worstNear:F0}, median {median:F0}");
            Assert.That(worstNear, Is.LessThan(0.5f * median), $"class {id}");
        }
    }

    [Test]
    public void TrainingScenesDrawLookAlikeDistractorsWithTheirChance()
    {
        var plain = new SyntheticFewShotDataset(0, FewShotSplit.Train, 48, extraClasses: 300);
        var hard = new SyntheticFewShotDataset(0, FewShotSplit.Train, 48, extraClasses: 300, hardDistractors: 1f);
        var near = HardDistractors.NearestByPalette(hard.Classes);
        int plainNear = 0, hardNear = 0, distractors = 0;
        for (ulong seed = 1; seed <= 40; seed++)
        {
            int target = hard.Classes[(int)(seed * 7 % (ulong)hard.Classes.Count)];
            using var a = SyntheticScene.Generate(target, seed, plain.Classes, 48, 48);
            using var b = SyntheticScene.Generate(target, seed, hard.Classes, 48, 48, hard: new HardDistractors(near[target], 1f));
            plainNear += a.DistractorClasses.Count(near[target].Contains);
            hardNear += b.DistractorClasses.Count(near[target].Contains);
            distractors += b.DistractorClasses.Count;
            Assert.That(b.DistractorClasses, Does.Not.Contain(target));
        }
        Assert.That(distractors, Is.GreaterThan(40));
        Assert.That(hardNear, Is.EqualTo(distractors), "chance 1: every distractor is a look-alike");
        Assert.That(plainNear, Is.LessThan(distractors / 10), "without the option look-alikes are rare in a large pool");

        // Through the dataset: the same pool and seed give other scenes with look-alikes than without.
        var s0 = plain.Scene(100, 5);
        var s1 = hard.Scene(100, 5);
        Assert.That(SyntheticSceneTests.Pixels(s1.Image), Is.Not.EqualTo(SyntheticSceneTests.Pixels(s0.Image)));
        s0.Dispose();
        s1.Dispose();
    }

    [Test]
    public void HardDistractorsAreRefusedWhereTheyDoNotBelong()
    {
        Assert.That(() => new SyntheticFewShotDataset(0, FewShotSplit.Val, 64, hardDistractors: 0.5f),
            Throws.ArgumentException.With.Message.Contains("novel split"));
        Assert.That(() => new SyntheticFewShotDataset(0, FewShotSplit.Train, 64, hardDistractors: 1.5f), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new SyntheticFewShotDataset(0, FewShotSplit.Train, 64, hardDistractors: float.NaN), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => CliHelpers.OpenDataset("pascal", "/nonexistent", 0, FewShotSplit.Train, hardDistractors: 0.5f),
            Throws.TypeOf<DatasetException>().With.Message.Contains("synthetic dataset only"));
        Assert.That(() => CliHelpers.OpenDataset("synthetic", null, 0, FewShotSplit.Train, hardDistractors: -0.1f),
            Throws.TypeOf<DatasetException>().With.Message.Contains("--hard-distractors"));
    }
}
