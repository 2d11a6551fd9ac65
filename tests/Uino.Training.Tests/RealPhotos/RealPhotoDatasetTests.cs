using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Training.Data;
using Uino.Training.Data.RealPhotos;

namespace Uino.Training.Tests.RealPhotos;

[TestFixture, NonParallelizable]
public class RealPhotoDatasetTests
{
    private static byte[] Pixels(Image<Rgb24> image)
    {
        var px = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(px);
        return px;
    }

    private static void AssertSame(Episode a, Episode b)
    {
        Assert.That(a.ClassId, Is.EqualTo(b.ClassId));
        var x = a.Support.Append(a.Query).ToArray();
        var y = b.Support.Append(b.Query).ToArray();
        Assert.That(x, Has.Length.EqualTo(y.Length));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.That(x[i].Name, Is.EqualTo(y[i].Name));
            Assert.That(Pixels(x[i].Image), Is.EqualTo(Pixels(y[i].Image)), x[i].Name);
            Assert.That(x[i].Mask.Values, Is.EqualTo(y[i].Mask.Values), x[i].Name);
        }
    }

    private static int Count(LabelMask m, byte v) => m.Values.Count(x => x == v);

    [Test]
    public void SameRandomState_GivesIdenticalEpisodes()
    {
        var ds = RealData.Train;
        for (int seed = 0; seed < 4; seed++)
        {
            using var a = ds.Sample(new Random(seed), 2, seed);
            using var b = ds.Sample(new Random(seed), 2, seed);
            AssertSame(a, b);
        }
    }

    [Test]
    public void ParallelSampling_EqualsSerialSampling()
    {
        var ds = RealData.Train;
        const int n = 12;
        var parallel = new Episode[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = ds.Sample(new Random(100 + i), 1, i));
        try
        {
            for (int i = 0; i < n; i++)
            {
                using var serial = ds.Sample(new Random(100 + i), 1, i);
                AssertSame(parallel[i], serial);
            }
        }
        finally { foreach (var e in parallel) e?.Dispose(); }
    }

    /// <summary>Train episodes: no held-out class or photo anywhere; every query/support label usable; instance pairs share their object.</summary>
    [Test]
    public void TrainEpisodes_NeverShowHeldOutClasses_AndHaveUsableMasks()
    {
        var ds = RealData.Train;
        var heldOutPhotos = RealData.Need().Labelled.Where(p => RealPhotoClasses.IsHeldOut(p.ClassId)).Select(p => p.Id).ToHashSet();
        Assert.That(heldOutPhotos, Is.Not.Empty);
        Assert.That(ds.Classes, Has.None.Matches<int>(RealPhotoClasses.IsHeldOut));
        int instances = 0, classes = 0;
        for (int i = 0; i < 20; i++)
        {
            using var e = ds.Sample(new Random(1000 + i), 2, i);
            Assert.That(RealPhotoClasses.IsHeldOut(e.ClassId), Is.False);
            var names = e.Support.Append(e.Query).Select(s => RealEpisodeName.Parse(s.Name)).ToArray();
            foreach (var src in names.SelectMany(n => n.Sources))
            {
                Assert.That(RealPhotoClasses.IsHeldOut(src.ClassId), Is.False, src.ToString());
                Assert.That(heldOutPhotos, Does.Not.Contain(src.Photo), src.ToString());
                Assert.That(src.Photo, Does.Not.StartWith("davis"));
            }
            var q = e.Query.Mask;
            Assert.That(Count(q, 1), Is.GreaterThan(0), e.Query.Name);
            foreach (var s in e.Support)
            {
                Assert.That(Count(s.Mask, 1), Is.GreaterThan(0), s.Name);
                Assert.That(Count(s.Mask, 1), Is.LessThan(s.Mask.Values.Length), s.Name);
            }
            if (names[0].Kind == RealEpisodeName.Instance)
            {
                instances++;
                var objects = names.Select(n => n.Sources.Single(s => s.Part is "target" || (s.Part == "photo" && n.Role != "query")).Photo).Distinct().ToArray();
                Assert.That(objects, Has.Length.EqualTo(1), "every image of an instance pair shows the same object");
                var backgrounds = names.SelectMany(n => n.Sources.Where(s => s.Part == "background").Select(s => s.Photo)).ToArray();
                Assert.That(backgrounds, Is.Unique, "each pasted image has its own background");
            }
            else
            {
                classes++;
                Assert.That(names.Select(n => n.Sources.Single().Photo), Is.Unique, "class pairs are different photos");
                Assert.That(names.Select(n => n.Sources.Single().ClassId), Is.All.EqualTo(e.ClassId));
            }
        }
        Assert.That(instances, Is.GreaterThan(3));
        Assert.That(classes, Is.GreaterThan(2));
    }

    /// <summary>In a training picture a held-out garment (here shoes on a person) is labelled ignore, never target.</summary>
    [Test]
    public void HeldOutGarmentPixels_AreIgnoredInTrainLabels()
    {
        var ds = RealData.Train;
        var photo = RealData.Need().Labelled.First(p => p.Garments is { } g && g.GetValueOrDefault(139) > 0.01);
        var raster = PhotoLoader.Load(photo, RealPhotoClasses.Person, ds.Pools.IgnoredGarments);
        using var image = EpisodeImages.AsIs(raster, 1000, "t");
        using var map = Image.Load<L8>(photo.LabelmapPath!);
        var ids = new byte[map.Width * map.Height];
        map.CopyPixelDataTo(ids);
        int shoes = 0;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] == 39) { shoes++; Assert.That(image.Mask.Values[i], Is.EqualTo(LabelMask.Ignore)); }
        Assert.That(shoes, Is.GreaterThan(0));
        Assert.That(Count(image.Mask, 1), Is.GreaterThan(0));
    }

    [Test]
    public void SameClassDistractor_IsLabelledBackground()
    {
        var ds = RealData.Train;
        var random = new Random(7);
        var horse = ds.Pools.ObjectsByClass[RealPhotoClasses.Horse][3];
        var cut = InstanceEpisodes.CutOut(PhotoLoader.Load(horse, horse.ClassId, ds.Pools.IgnoredGarments));
        var force = new InstanceEpisodes.Forcing(Distractors: 2, SameClass: true, Occluder: false);
        var (image, layers) = ds.Instances.Compose(random, horse, cut, "query", 0, [horse.Id], force);
        using (image)
        {
            var distractors = layers.Where(l => l.Role == LayerRole.Distractor).ToArray();
            Assert.That(distractors, Has.Length.EqualTo(2));
            foreach (var d in distractors)
            {
                Assert.That(d.ClassId, Is.EqualTo(horse.ClassId));
                Assert.That(d.Source, Is.Not.EqualTo(horse.Id), "another instance of the class");
                int visible = 0;
                for (int i = 0; i < d.Visible.Length; i++)
                    if (d.Visible[i] != 0) { visible++; Assert.That(image.Mask.Values[i], Is.Not.EqualTo((byte)1)); }
                Assert.That(visible, Is.GreaterThan(0));
            }
            var target = layers.Single(l => l.Role == LayerRole.Target);
            int fg = 0;
            for (int i = 0; i < target.Visible.Length; i++)
            {
                bool visibleTarget = target.Visible[i] != 0;
                if (image.Mask.Values[i] == 1) { fg++; Assert.That(visibleTarget, Is.True, "label 1 only on the visible target"); }
            }
            Assert.That(fg, Is.GreaterThan(0));
        }
    }

    [Test]
    public void Occluder_RemovesTargetLabel_WhereItCovers()
    {
        var ds = RealData.Train;
        int occluded = 0;
        for (int seed = 0; seed < 6 && occluded < 2; seed++)
        {
            var random = new Random(seed);
            var horse = ds.Pools.ObjectsByClass[RealPhotoClasses.Horse][seed];
            var cut = InstanceEpisodes.CutOut(PhotoLoader.Load(horse, horse.ClassId, ds.Pools.IgnoredGarments));
            var (image, layers) = ds.Instances.Compose(random, horse, cut, "query", 0, [horse.Id], new InstanceEpisodes.Forcing(Distractors: 0, Occluder: true));
            using (image)
            {
                var occ = layers.SingleOrDefault(l => l.Role == LayerRole.Occluder);
                if (occ is null) continue; // the draw would have hidden more than half of the target
                occluded++;
                for (int i = 0; i < occ.Visible.Length; i++)
                    if (occ.Visible[i] != 0) Assert.That(image.Mask.Values[i], Is.Not.EqualTo((byte)1));
            }
        }
        Assert.That(occluded, Is.GreaterThan(0));
    }

    [Test]
    public void KeptOriginalSupport_IsTheObjectsOwnPhoto()
    {
        var ds = RealData.Train;
        using var e = ds.Instances.Sample(new Random(3), 1, 0, new InstanceEpisodes.Forcing(KeepOriginal: true));
        var s = RealEpisodeName.Parse(e.Support[0].Name);
        var q = RealEpisodeName.Parse(e.Query.Name);
        Assert.That(s.Sources.Single().Part, Is.EqualTo("photo"));
        Assert.That(s.Sources.Single().Photo, Is.EqualTo(q.Sources.First(x => x.Part == "target").Photo));
    }

    [Test]
    public void Val_IsAFixedSequenceOfHeldOutClassPairs()
    {
        var ds = RealData.Val;
        Assert.That(ds.Classes, Is.EquivalentTo(RealPhotoClasses.HeldOut));
        Assert.That(ds.Fold, Is.Zero);
        for (int index = 0; index < ds.Classes.Count; index++)
        {
            using var a = ds.Sample(new Random(1), 1, index);
            using var b = ds.Sample(new Random(999), 1, index);
            AssertSame(a, b);
            Assert.That(a.ClassId, Is.EqualTo(ds.Classes[index]));
            var names = a.Support.Append(a.Query).Select(s => RealEpisodeName.Parse(s.Name)).ToArray();
            Assert.That(names.Select(n => n.Kind), Is.All.EqualTo(RealEpisodeName.Class));
            Assert.That(names.Select(n => n.Sources.Single().Photo), Is.Unique);
        }
    }

    [Test]
    public void MissingRoot_IsOneLineNamingTheFolderAndTheFix()
    {
        var missing = Path.Combine(Path.GetTempPath(), "uino-no-such-data-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open("real", missing, 0, FewShotSplit.Train))!;
        Assert.That(e.Message, Does.Contain(missing));
        Assert.That(e.Message, Does.Contain("data root"), "the library names the setting");
        Assert.That(e.Message, Does.Not.Contain("\n"));
        using var t = new TempDir();
        var e2 = Assert.Throws<DatasetException>(() => RealPhotoDataset.Open(t.Path, FewShotSplit.Train))!;
        Assert.That(e2.Message, Does.Contain("leeds_butterfly").And.Contain("labels.csv"));
        var (code, output, err) = Uino.Tests.Shared.CliRun.Invoke("dataset-info", "--dataset", "real", "--root", missing);
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Is.Empty);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.Contain("--root"), "the command line names the flag");
    }

    [Test]
    public void NameRoundTrips()
    {
        var n = new RealEpisodeName("instance", "query", 12, [new("target", "imagenet_sample_1k:n04591713_wine_bottle", 3), new("background", "bsds500:100075", -1)]);
        Assert.That(RealEpisodeName.Parse(n.ToString()), Is.EqualTo(n).Using<RealEpisodeName>((a, b) => a.ToString() == b.ToString()));
    }
}
