using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Pascal;

namespace Uino.Training.Tests.Datasets;

/// <summary>A fake VOC2012 + SBD tree: 80×60 images (4800 px), handmade class masks around the 2·32·32 threshold.</summary>
internal static class PascalTree
{
    public const int W = 80, H = 60;

    public static string Build(TempDir t, string sub = "")
    {
        var voc = sub.Length == 0 ? t.Path : t.Sub(sub);
        var jpg = t.Sub(Rel(sub, "JPEGImages"));
        var png = t.Sub(Rel(sub, "SegmentationClassAug"));
        var lists = t.Sub(Rel(sub, "ImageSets", "SegmentationAug"));
        void Add(string id, byte[] mask, bool palette = false)
        {
            FakeImages.Jpeg(Path.Combine(jpg, id + ".jpg"), W, H);
            if (palette) FakeImages.PalettePng(Path.Combine(png, id + ".png"), W, H, mask);
            else FakeImages.GreyPng(Path.Combine(png, id + ".png"), W, H, mask);
        }
        byte[] M() => new byte[W * H];
        // A: class 6 exactly 2048 px (kept), a 255 boundary band.
        Add("2008_000001", FakeImages.Fill(FakeImages.Fill(M(), 6, 0, 2048), 255, 4700, 100));
        // B: class 6 with 2047 px (dropped by the pixel filter).
        Add("2008_000002", FakeImages.Fill(M(), 6, 0, 2047));
        // C: class 7 large + 10 px of class 1 (novel in fold 0: the image leaves the fold-0 train lists).
        Add("2008_000003", FakeImages.Fill(FakeImages.Fill(M(), 7, 0, 3000), 1, 4000, 10));
        // D: class 1 2100 px, 100 px of class 6, 255 band.
        Add("2008_000004", FakeImages.Fill(FakeImages.Fill(FakeImages.Fill(M(), 1, 0, 2100), 6, 3000, 100), 255, 4700, 100));
        // E: class 1 2500 px and class 6 1000 px.
        Add("2008_000005", FakeImages.Fill(FakeImages.Fill(M(), 1, 0, 2500), 6, 3000, 1000));
        // F: class 6 3000 px.
        Add("2008_000006", FakeImages.Fill(M(), 6, 0, 3000));
        // G: a palette PNG (VOC's own format): class 1 2048 px, 255 band.
        Add("2008_000007", FakeImages.Fill(FakeImages.Fill(M(), 1, 0, 2048), 255, 4700, 100), palette: true);
        File.WriteAllLines(Path.Combine(lists, "train_aug.txt"),
            new[] { "2008_000001", "2008_000002", "2008_000003", "2008_000006" }
                .Select(id => $"/JPEGImages/{id}.jpg /SegmentationClassAug/{id}.png"));
        File.WriteAllLines(Path.Combine(lists, "val.txt"), ["2008_000003", "2008_000004", "2008_000005", "2008_000007"]);
        return t.Path;
    }

    private static string Rel(string sub, params string[] parts) => sub.Length == 0 ? Path.Combine(parts) : Path.Combine([sub, .. parts]);
}

[TestFixture]
public class PascalDatasetTests
{
    [Test]
    public void Folds_MatchPascal5i_ForEveryFold()
    {
        var all = Enumerable.Range(1, 20).ToArray();
        for (var f = 0; f < 4; f++)
        {
            var novel = PascalFolds.Novel(f);
            var @base = PascalFolds.Base(f);
            Assert.That(novel, Is.EqualTo(Enumerable.Range(5 * f + 1, 5)));
            Assert.That(@base, Has.Count.EqualTo(15));
            Assert.That(@base.Intersect(novel), Is.Empty);
            Assert.That(@base.Union(novel).Order(), Is.EqualTo(all));
        }
        Assert.That(PascalFolds.Novel(3), Is.EqualTo(new[] { 16, 17, 18, 19, 20 }));
        Assert.Throws<DatasetException>(() => PascalFolds.Novel(4));
    }

    [Test]
    public void TrainView_AppliesPixelFilter_AndDropsImagesWithNovelClasses()
    {
        using var t = new TempDir();
        var ds = (PascalDataset)DatasetFactory.Open("pascal", PascalTree.Build(t), 0, FewShotSplit.Train);
        Assert.That(ds.Classes, Is.EqualTo(Enumerable.Range(6, 15)));
        // A has exactly 2048 px (kept), B 2047 (dropped), F 3000 (kept).
        Assert.That(ds.ImageNames(6), Is.EqualTo(new[] { "2008_000001", "2008_000006" }));
        // C's class 7 is large, but C holds 10 px of novel class 1: excluded.
        Assert.That(ds.ImageNames(7), Is.Empty);
        Assert.That(ds.ImagesPerClass[6], Is.EqualTo(2));
        Assert.That(ds.ImagesPerClass.Values.Sum(), Is.EqualTo(2));
        Assert.That(ds.ListFile, Does.EndWith(Path.Combine("ImageSets", "SegmentationAug", "train_aug.txt")));
    }

    [Test]
    public void ValView_ListsNovelClasses_WithFilterButNoExclusion()
    {
        using var t = new TempDir();
        var ds = (PascalDataset)DatasetFactory.Open("pascal", PascalTree.Build(t), 0, FewShotSplit.Val);
        Assert.That(ds.Classes, Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        // C has only 10 px of class 1; D, E (which also holds base class 6) and the palette-PNG G pass.
        Assert.That(ds.ImageNames(1), Is.EqualTo(new[] { "2008_000004", "2008_000005", "2008_000007" }));
        Assert.That(ds.ImagesPerClass[2], Is.Zero);
        Assert.That(ds.PairCount, Is.EqualTo(3));
    }

    [Test]
    public void HsnetStyleRoot_WithVoc2012Folder_IsFound()
    {
        using var t = new TempDir();
        var ds = (PascalDataset)DatasetFactory.Open("pascal", PascalTree.Build(t, "VOC2012"), 0, FewShotSplit.Val);
        Assert.That(ds.VocDirectory, Is.EqualTo(Path.Combine(t.Path, "VOC2012")));
        Assert.That(ds.ImagesPerClass[1], Is.EqualTo(3));
    }

    [Test]
    public void Episode_KeepsIgnoreLabel_BinarisesClass_AtOriginalSize()
    {
        using var t = new TempDir();
        var ds = (PascalDataset)DatasetFactory.Open("pascal", PascalTree.Build(t), 0, FewShotSplit.Val);
        using var e = ds.Sample(new Random(1), 1, 0);
        Assert.That(e.ClassId, Is.EqualTo(1));
        Assert.That(e.Query.Name, Is.EqualTo("2008_000004"));
        var m = e.Query.Mask;
        Assert.That((m.Width, m.Height), Is.EqualTo((PascalTree.W, PascalTree.H)));
        Assert.That((e.Query.Image.Width, e.Query.Image.Height), Is.EqualTo((PascalTree.W, PascalTree.H)));
        Assert.That(m.Values.Take(2100), Is.All.EqualTo((byte)1));
        Assert.That(m.Values.Skip(3000).Take(100), Is.All.EqualTo((byte)0), "class 6 pixels are background for class 1");
        Assert.That(m.Values.Skip(4700), Is.All.EqualTo(LabelMask.Ignore));
        Assert.That(m.Values.Count(v => v == 1), Is.EqualTo(2100));
        Assert.That(m.Values.Count(v => v == 0), Is.EqualTo(4800 - 2100 - 100));
    }

    [Test]
    public void PaletteMask_IsReadAsClassIndices()
    {
        using var t = new TempDir();
        var ds = (PascalDataset)DatasetFactory.Open("pascal", PascalTree.Build(t), 0, FewShotSplit.Val);
        using var img = ds.Load("2008_000007", 1);
        Assert.That(img.Mask.Values.Count(v => v == 1), Is.EqualTo(2048));
        Assert.That(img.Mask.Values.Count(v => v == 255), Is.EqualTo(100));
    }

    [Test]
    public void Sampling_IsDeterministic_AndSupportNeverQuery()
    {
        using var t = new TempDir();
        var ds = DatasetFactory.Open("pascal", PascalTree.Build(t), 0, FewShotSplit.Val);
        List<string> Run(int seed)
        {
            var rng = new Random(seed);
            var names = new List<string>();
            for (var i = 0; i < 9; i++)
            {
                using var e = ds.Sample(rng, 2, i);
                Assert.That(e.Support, Has.Count.EqualTo(2));
                Assert.That(e.Support.Select(s => s.Name), Has.No.Member(e.Query.Name));
                Assert.That(e.Support.Select(s => s.Name).Distinct().Count(), Is.EqualTo(2));
                names.Add(e.Query.Name + ">" + string.Join(",", e.Support.Select(s => s.Name)));
            }
            return names;
        }
        var a = Run(7);
        Assert.That(Run(7), Is.EqualTo(a));
        // Queries enumerate the (image, class) pairs in list order, cyclically.
        Assert.That(a.Select(s => s.Split('>')[0]).Take(4),
            Is.EqualTo(new[] { "2008_000004", "2008_000005", "2008_000007", "2008_000004" }));
        var ex = Assert.Throws<DatasetException>(() => ds.Sample(new Random(0), 3, 0));
        Assert.That(ex!.Message, Does.Contain("3-shot"));
    }

    [Test]
    public void MissingList_IsNamed()
    {
        using var t = new TempDir();
        var root = PascalTree.Build(t);
        File.Delete(Path.Combine(root, "ImageSets", "SegmentationAug", "train_aug.txt"));
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("pascal", root, 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain(Path.Combine("ImageSets", "SegmentationAug", "train_aug.txt")));
    }

    [Test]
    public void UserListDirectory_AndCache_GiveTheSameLists()
    {
        using var t = new TempDir();
        var root = PascalTree.Build(t);
        var lists = t.Sub("mylists");
        File.WriteAllLines(Path.Combine(lists, "val.txt"), ["2008_000004", "2008_000005"]);
        var opts = new DatasetOptions { ListDirectory = lists, CacheDirectory = Path.Combine(t.Path, "cache") };
        var first = DatasetFactory.Open("pascal", root, 0, FewShotSplit.Val, opts);
        Assert.That(Directory.GetFiles(opts.CacheDirectory!), Has.Length.EqualTo(1));
        var second = DatasetFactory.Open("pascal", root, 0, FewShotSplit.Val, opts);
        Assert.That(first.ImagesPerClass[1], Is.EqualTo(2));
        Assert.That(second.ImagesPerClass, Is.EqualTo(first.ImagesPerClass));
    }

    [Test]
    public void MissingListedMask_IsNamed()
    {
        using var t = new TempDir();
        var root = PascalTree.Build(t);
        File.Delete(Path.Combine(root, "SegmentationClassAug", "2008_000005.png"));
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("pascal", root, 0, FewShotSplit.Val));
        Assert.That(ex!.Message, Does.Contain("2008_000005.png"));
    }

    [Test]
    public void MissingMaskFolder_IsNamed()
    {
        using var t = new TempDir();
        var root = PascalTree.Build(t);
        Directory.Delete(Path.Combine(root, "SegmentationClassAug"), true);
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("pascal", root, 0, FewShotSplit.Val));
        Assert.That(ex!.Message, Does.Contain("SegmentationClassAug"));
    }
}
