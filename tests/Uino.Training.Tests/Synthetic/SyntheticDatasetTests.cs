using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;

namespace Uino.Training.Tests.Synthetic;

[TestFixture]
public sealed class SyntheticDatasetTests
{
    [Test]
    public void BaseAndNovelAreDisjointAndCoverAllClassesInEveryFold()
    {
        var novelUnion = new List<int>();
        for (int fold = 0; fold < SyntheticFewShotDataset.FoldCount; fold++)
        {
            var train = new SyntheticFewShotDataset(fold, FewShotSplit.Train, 64);
            var val = new SyntheticFewShotDataset(fold, FewShotSplit.Val, 64);
            Assert.That(train.Classes.Intersect(val.Classes), Is.Empty, $"fold {fold}");
            Assert.That(train.Classes.Concat(val.Classes).Order(), Is.EqualTo(Enumerable.Range(0, SyntheticClass.Count)));
            Assert.That(train.Classes, Is.Ordered.Ascending);
            Assert.That(val.Classes, Is.Ordered.Ascending);
            Assert.That(val.Classes, Has.Count.EqualTo(12));
            Assert.That(train.Classes, Has.Count.EqualTo(36));
            // Novel classes are unseen (pattern, palette) combinations, but every pattern family and palette that
            // appears among them is also taught by the base classes.
            var novel = val.Classes.Select(SyntheticClass.Get).ToArray();
            var bases = train.Classes.Select(SyntheticClass.Get).ToArray();
            Assert.That(novel.Select(c => c.Family).Distinct().Count(), Is.EqualTo(SyntheticClass.FamilyCount));
            Assert.That(bases.Select(c => c.Family).Distinct().Count(), Is.EqualTo(SyntheticClass.FamilyCount));
            Assert.That(bases.Select(c => c.PaletteIndex).Distinct().Count(), Is.EqualTo(SyntheticClass.PaletteCount));
            Assert.That(train.ImagesPerClass.Keys.Order(), Is.EqualTo(train.Classes));
            Assert.That(val.ImagesPerClass.Values, Is.All.EqualTo(SyntheticFewShotDataset.NominalImagesPerClass));
            Assert.That(train.Name, Is.EqualTo("synthetic"));
            Assert.That((train.Fold, train.Split, val.Split), Is.EqualTo((fold, FewShotSplit.Train, FewShotSplit.Val)));
            novelUnion.AddRange(val.Classes);
        }
        Assert.That(novelUnion.Order(), Is.EqualTo(Enumerable.Range(0, SyntheticClass.Count)), "novel sets partition the classes");
    }

    [Test]
    public void InvalidArgumentsAreRejected()
    {
        Assert.That(() => new SyntheticFewShotDataset(4, FewShotSplit.Val), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new SyntheticFewShotDataset(-1, FewShotSplit.Val), Throws.TypeOf<ArgumentOutOfRangeException>());
        var dataset = new SyntheticFewShotDataset(0, FewShotSplit.Val, 64);
        Assert.That(() => dataset.Sample(new Random(1), 0, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void SamplingIsDeterministicGivenTheRandomState()
    {
        var a = new SyntheticFewShotDataset(2, FewShotSplit.Train, 96, seed: 3);
        var b = new SyntheticFewShotDataset(2, FewShotSplit.Train, 96, seed: 3);
        var c = new SyntheticFewShotDataset(2, FewShotSplit.Train, 96, seed: 4);
        var ra = new Random(11);
        var rb = new Random(11);
        var rc = new Random(11);
        for (int i = 0; i < 4; i++)
        {
            using var ea = a.Sample(ra, 2, i);
            using var eb = b.Sample(rb, 2, i);
            using var ec = c.Sample(rc, 2, i);
            Assert.That(eb.ClassId, Is.EqualTo(ea.ClassId));
            Assert.That(ec.ClassId, Is.EqualTo(ea.ClassId), "the dataset seed salts scenes, not the class choice");
            Assert.That(SyntheticSceneTests.Pixels(eb.Query.Image), Is.EqualTo(SyntheticSceneTests.Pixels(ea.Query.Image)));
            Assert.That(eb.Query.Mask.Values, Is.EqualTo(ea.Query.Mask.Values));
            Assert.That(eb.Query.Name, Is.EqualTo(ea.Query.Name));
            for (int k = 0; k < 2; k++)
            {
                Assert.That(SyntheticSceneTests.Pixels(eb.Support[k].Image), Is.EqualTo(SyntheticSceneTests.Pixels(ea.Support[k].Image)));
                Assert.That(eb.Support[k].Mask.Values, Is.EqualTo(ea.Support[k].Mask.Values));
            }
            Assert.That(SyntheticSceneTests.Pixels(ec.Query.Image), Is.Not.EqualTo(SyntheticSceneTests.Pixels(ea.Query.Image)));
        }
    }

    [Test]
    public void EpisodesHoldDistinctScenesOfTheSampledClass()
    {
        var dataset = new SyntheticFewShotDataset(1, FewShotSplit.Val, 128);
        var random = new Random(5);
        var seen = new HashSet<int>();
        for (int i = 0; i < 60; i++)
        {
            using var episode = dataset.Sample(random, 5, i);
            seen.Add(episode.ClassId);
            Assert.That(dataset.Classes, Does.Contain(episode.ClassId));
            Assert.That(episode.Support, Has.Count.EqualTo(5));
            var all = episode.Support.Append(episode.Query).ToArray();
            Assert.That(all.Select(s => s.Name).Distinct().Count(), Is.EqualTo(6));
            Assert.That(all.Select(s => Convert.ToBase64String(SyntheticSceneTests.Pixels(s.Image))).Distinct().Count(), Is.EqualTo(6),
                "query and supports are different scenes");
            foreach (var image in all)
            {
                Assert.That((image.Image.Width, image.Image.Height), Is.EqualTo((128, 128)));
                Assert.That(image.Mask.Values.Count(v => v == 1), Is.GreaterThan(0));
                Assert.That(image.Name, Does.Contain(SyntheticClass.Get(episode.ClassId).Name));
            }
        }
        Assert.That(seen.Count, Is.GreaterThanOrEqualTo(10), "classes are drawn across the whole split");
    }

    [Test]
    public void DatasetScenesDrawDistractorsFromTheirOwnSplitOnly()
    {
        var dataset = new SyntheticFewShotDataset(3, FewShotSplit.Val, 64);
        int[] novel = SyntheticFewShotDataset.NovelClasses(3);
        foreach (int cls in novel)
            for (ulong seed = 0; seed < 10; seed++)
            {
                using var scene = SyntheticScene.Generate(cls, seed, dataset.Classes, 64, 64);
                Assert.That(scene.DistractorClasses, Is.SubsetOf(novel));
                Assert.That(scene.DistractorClasses, Has.None.EqualTo(cls));
            }
    }

    private static readonly string[] SampleFiles =
    [
        "reference.png", "reference.mask.png", "query.png", "query.mask.png",
        "queries/query2.png", "queries/query2.mask.png", "queries/query3.png", "queries/query3.mask.png", "classes.png",
    ];

    /// <summary>The committed samples are what <c>SyntheticSamples.Write(dir, 0)</c> produces today.</summary>
    [Test]
    public void CommittedSamplesMatchTheGenerator()
    {
        string committed = Path.Combine(RepoPaths.Root, "samples");
        string fresh = Path.Combine(Path.GetTempPath(), "uino-synthetic-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            int cls = SyntheticSamples.Write(fresh, seed: 0);
            Assert.That(SyntheticFewShotDataset.NovelClasses(0), Does.Contain(cls));
            Assert.That(File.ReadAllText(Path.Combine(committed, "README.md")), Does.Contain(SyntheticClass.Get(cls).Name));
            long total = 0;
            foreach (string file in SampleFiles)
            {
                string path = Path.Combine(committed, file);
                Assert.That(File.Exists(path), $"missing samples/{file}");
                total += new FileInfo(path).Length;
                using var expected = Image.Load<Rgb24>(path);
                using var actual = Image.Load<Rgb24>(Path.Combine(fresh, file));
                Assert.That(expected.Width, Is.LessThanOrEqualTo(256));
                // Exact on this machine; the tolerance only absorbs a libm whose sinf/cosf rounds differently
                // flipping the odd pattern-edge pixel on another CPU.
                var (a, e) = (SyntheticSceneTests.Pixels(actual), SyntheticSceneTests.Pixels(expected));
                Assert.That(a, Has.Length.EqualTo(e.Length), file);
                int differing = Enumerable.Range(0, a.Length).Count(i => a[i] != e[i]);
                Assert.That(differing, Is.LessThanOrEqualTo(a.Length / 1000), $"{file}: {differing} bytes differ");
                if (file.EndsWith(".mask.png", StringComparison.Ordinal))
                {
                    using var mask = Image.Load<L8>(path);
                    var values = new byte[mask.Width * mask.Height];
                    mask.CopyPixelDataTo(values);
                    Assert.That(values.Distinct().Order(), Is.EqualTo(new byte[] { 0, 255 }), file);
                }
            }
            Assert.That(total, Is.LessThan(500_000));
        }
        finally
        {
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }
}
