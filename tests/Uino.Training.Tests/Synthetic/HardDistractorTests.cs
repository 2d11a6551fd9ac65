using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;

namespace Uino.Training.Tests.Synthetic;

/// <summary>Look-alike distractors for training scenes (<c>--hard-distractors</c>).</summary>
[TestFixture]
public sealed class HardDistractorTests
{
    [Test]
    public void LookAlikesOfACatalogClassShareItsPaletteOrItsPattern()
    {
        var pool = SyntheticFewShotDataset.BaseClasses(0);
        var near = HardDistractors.LookAlikes(pool);
        Assert.That(near.Keys.Order(), Is.EqualTo(pool));
        // 10 = checkerboard orange-purple: the base classes in its palette are rings (22), waves (34) and grid (46);
        // three of the other base checkerboards 6, 7, 9, 11 (its novel sibling 8 is not in the pool) complete the set.
        Assert.That(near[10], Is.SupersetOf(new[] { 22, 34, 46 }));
        Assert.That(near[10].Except([22, 34, 46]).ToArray(), Is.SubsetOf(new[] { 6, 7, 9, 11 }).And.Length.EqualTo(3));
        foreach (var (id, set) in near)
        {
            Assert.That(set, Has.Count.EqualTo(2 * HardDistractors.PerCue), $"class {id}");
            Assert.That(set, Is.SubsetOf(pool), $"class {id}");
            Assert.That(set, Does.Not.Contain(id));
        }
    }

    [Test]
    public void LookAlikesOfDrawnClassesAreTheClosestPalettesPerCue()
    {
        var pool = Enumerable.Range(SyntheticClass.Count, 2000).Select(SyntheticClass.Get).ToArray();
        var near = HardDistractors.LookAlikes(pool.Select(c => c.Id).ToArray());
        foreach (var target in pool.Take(40))
        {
            float Distance(SyntheticClass c) => HardDistractors.PaletteDistance(target, c);
            var set = near[target.Id].Select(SyntheticClass.Get).ToArray();
            var byColour = set.Where(c => c.Family != target.Family).ToArray();
            var byPattern = set.Where(c => c.Family == target.Family).ToArray();
            Assert.That((byColour.Length, byPattern.Length), Is.EqualTo((HardDistractors.PerCue, HardDistractors.PerCue)), target.Name);

            // Same colours: the closest palettes of the other families, much closer than a typical pair.
            var otherFamilies = pool.Where(c => c.Family != target.Family).ToArray();
            Assert.That(byColour.Max(Distance), Is.LessThanOrEqualTo(otherFamilies.Except(byColour).Min(Distance)), target.Name);
            float median = otherFamilies.Select(Distance).Order().ElementAt(otherFamilies.Length / 2);
            Assert.That(byColour.Max(Distance), Is.LessThan(0.5f * median), target.Name);

            // Same pattern: clearly other colours, the closest such.
            var sameFamily = pool.Where(c => c.Family == target.Family && c.Id != target.Id && Distance(c) >= HardDistractors.MinSameFamilyDistance).ToArray();
            Assert.That(byPattern.Min(Distance), Is.GreaterThanOrEqualTo(HardDistractors.MinSameFamilyDistance), target.Name);
            Assert.That(byPattern.Max(Distance), Is.LessThanOrEqualTo(sameFamily.Except(byPattern).Min(Distance)), target.Name);
        }
    }

    [Test]
    public void TrainingScenesDrawLookAlikeDistractorsWithTheirChance()
    {
        var plain = new SyntheticFewShotDataset(0, FewShotSplit.Train, 48, extraClasses: 300);
        var hard = new SyntheticFewShotDataset(0, FewShotSplit.Train, 48, extraClasses: 300, hardDistractors: 1f);
        var near = HardDistractors.LookAlikes(hard.Classes);
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
        Assert.That(() => TrainingDatasets.Open("pascal", "/nonexistent", 0, FewShotSplit.Train, hardDistractors: 0.5f),
            Throws.TypeOf<DatasetException>().With.Message.Contains("synthetic dataset only"));
        Assert.That(() => TrainingDatasets.Open("synthetic", null, 0, FewShotSplit.Train, hardDistractors: -0.1f),
            Throws.TypeOf<DatasetException>().With.Message.Contains("hard-distractor chance"));
    }
}
