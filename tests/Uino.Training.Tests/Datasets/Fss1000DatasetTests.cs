using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Fss1000;

namespace Uino.Training.Tests.Datasets;

/// <summary>A fake FSS-1000 tree: &lt;root&gt;/&lt;class&gt;/&lt;n&gt;.jpg + &lt;n&gt;.png and the user's splits/{trn,val,test}.txt.</summary>
internal static class FssTree
{
    public const int W = 12, H = 10;

    public static string Build(TempDir t)
    {
        void Class(string name, int images)
        {
            var dir = t.Sub(name);
            for (var n = 1; n <= images; n++)
            {
                FakeImages.Jpeg(Path.Combine(dir, $"{n}.jpg"), W, H);
                var mask = new byte[W * H];
                FakeImages.Fill(mask, 200, 0, 30);   // ≥ 128: foreground
                FakeImages.Fill(mask, 127, 30, 20);  // < 128: background
                FakeImages.GreyPng(Path.Combine(dir, $"{n}.png"), W, H, mask);
            }
        }
        foreach (var c in new[] { "zebra", "abacus", "kite" }) Class(c, 3);
        foreach (var c in new[] { "yak", "banana" }) Class(c, 3);
        Class("wok", 2);
        var splits = t.Sub("splits");
        File.WriteAllLines(Path.Combine(splits, "trn.txt"), ["zebra", "abacus", "kite"]);
        File.WriteAllLines(Path.Combine(splits, "test.txt"), ["yak", "banana"]);
        File.WriteAllLines(Path.Combine(splits, "val.txt"), ["wok"]);
        return t.Path;
    }
}

[TestFixture]
public class Fss1000DatasetTests
{
    [Test]
    public void ClassIds_FollowHsnetRanges_SortedNames()
    {
        using var t = new TempDir();
        var root = FssTree.Build(t);
        var trn = (Fss1000Dataset)DatasetFactory.Open("fss1000", root, 0, FewShotSplit.Train);
        Assert.That(trn.Classes, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(trn.ClassNames[1], Is.EqualTo("abacus"));
        Assert.That(trn.ClassNames[3], Is.EqualTo("zebra"));
        var test = (Fss1000Dataset)DatasetFactory.Open("fss1000", root, 0, FewShotSplit.Val);
        Assert.That(test.Classes, Is.EqualTo(new[] { 761, 762 }));
        Assert.That(test.ClassNames[761], Is.EqualTo("banana"));
        Assert.That(test.ImagesPerClass[762], Is.EqualTo(3));
        Assert.That(test.ImageNames(761), Is.EqualTo(new[] { "1", "2", "3" }));
        var val = DatasetFactory.Open("fss1000", root, 0, FewShotSplit.Val, new DatasetOptions { Fss1000EvalList = "val" });
        Assert.That(val.Classes, Is.EqualTo(new[] { 521 }));
        Assert.That(trn.Classes.Intersect(test.Classes), Is.Empty);
    }

    [Test]
    public void Episodes_EnumerateEveryImage_Deterministically()
    {
        using var t = new TempDir();
        var ds = (Fss1000Dataset)DatasetFactory.Open("fss1000", FssTree.Build(t), 0, FewShotSplit.Val);
        Assert.That(ds.ImageCount, Is.EqualTo(6));
        Assert.That(DatasetFactory.StandardEpisodeCount(ds), Is.EqualTo(6));
        List<string> Run()
        {
            var rng = new Random(DatasetFactory.StandardEvaluationSeed);
            var seq = new List<string>();
            for (var i = 0; i < ds.ImageCount; i++)
            {
                using var e = ds.Sample(rng, 1, i);
                Assert.That(e.Support[0].Name, Is.Not.EqualTo(e.Query.Name));
                Assert.That(e.Support[0].Name.Split('/')[0], Is.EqualTo(e.Query.Name.Split('/')[0]));
                seq.Add(e.Query.Name + ">" + e.Support[0].Name);
            }
            return seq;
        }
        var a = Run();
        Assert.That(Run(), Is.EqualTo(a));
        Assert.That(a.Select(s => s.Split('>')[0]),
            Is.EqualTo(new[] { "banana/1", "banana/2", "banana/3", "yak/1", "yak/2", "yak/3" }));
    }

    [Test]
    public void Mask_IsThresholdedAt128()
    {
        using var t = new TempDir();
        var ds = (Fss1000Dataset)DatasetFactory.Open("fss1000", FssTree.Build(t), 0, FewShotSplit.Train);
        using var img = ds.Load(1, "2");
        Assert.That((img.Mask.Width, img.Mask.Height), Is.EqualTo((FssTree.W, FssTree.H)));
        Assert.That(img.Mask.Values.Take(30), Is.All.EqualTo((byte)1));
        Assert.That(img.Mask.Values.Skip(30), Is.All.EqualTo((byte)0));
    }

    [Test]
    public void MissingSplitFile_IsNamed_AndFoldIsZeroOnly()
    {
        using var t = new TempDir();
        var root = FssTree.Build(t);
        File.Delete(Path.Combine(root, "splits", "test.txt"));
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("fss1000", root, 0, FewShotSplit.Val));
        Assert.That(ex!.Message, Does.Contain(Path.Combine("splits", "test.txt")));
        ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("fss1000", root, 1, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("fold 1"));
    }
}

[TestFixture]
public class DatasetFactoryTests
{
    [Test]
    public void Errors_AreClear()
    {
        using var t = new TempDir();
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("imagenet", t.Path, 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("unknown dataset 'imagenet'"));
        ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("pascal", Path.Combine(t.Path, "nope"), 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("does not exist"));
        ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("coco", t.Path, 4, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("0..3"));
        ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("pascal", t.Path, 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("JPEGImages"));
        Assert.Throws<DatasetException>(() => DatasetFactory.ParseSplit("holdout"));
        Assert.That(DatasetFactory.ParseSplit("train"), Is.EqualTo(FewShotSplit.Train));
    }
}
