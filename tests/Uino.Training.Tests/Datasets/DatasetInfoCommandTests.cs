using System.Text.Json;
using NUnit.Framework;

namespace Uino.Training.Tests.Datasets;

[TestFixture, NonParallelizable]
public class DatasetInfoCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Uino.Tests.Shared.CliRun.Invoke(args);

    [Test]
    public void Json_ListsClassesAndCounts()
    {
        using var t = new TempDir();
        var root = PascalTree.Build(t);
        var (code, output, err) = Run("dataset-info", "--dataset", "pascal", "--root", root, "--fold", "0", "--split", "val", "--json");
        Assert.That(code, Is.Zero, err);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.That(r.GetProperty("dataset").GetString(), Is.EqualTo("pascal"));
        Assert.That(r.GetProperty("fold").GetInt32(), Is.Zero);
        Assert.That(r.GetProperty("split").GetString(), Is.EqualTo("val"));
        Assert.That(r.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
        var counts = r.GetProperty("images_per_class");
        Assert.That(counts.GetProperty("1").GetInt32(), Is.EqualTo(3));
        Assert.That(counts.GetProperty("5").GetInt32(), Is.Zero);
        Assert.That(counts.EnumerateObject().Count(), Is.EqualTo(5));
    }

    [Test]
    public void Json_ForCocoTrain()
    {
        using var t = new TempDir();
        var root = CocoTree.Build(t);
        var (code, output, err) = Run("dataset-info", "--dataset", "coco", "--root", root, "--fold", "0", "--split", "train", "--json");
        Assert.That(code, Is.Zero, err);
        using var doc = JsonDocument.Parse(output);
        Assert.That(doc.RootElement.GetProperty("classes").GetArrayLength(), Is.EqualTo(60));
        Assert.That(doc.RootElement.GetProperty("images_per_class").GetProperty("2").GetInt32(), Is.EqualTo(2));
    }

    /// <summary>synthetic, as train and eval accept it: no --root, base/novel or train/val, its folds' classes.</summary>
    [Test]
    public void Synthetic_NeedsNoRoot_AndListsTheFoldsClasses()
    {
        var (code, output, err) = Run("dataset-info", "--dataset", "synthetic", "--fold", "1", "--split", "novel", "--json");
        Assert.That(code, Is.Zero, err);
        using (var doc = JsonDocument.Parse(output))
        {
            var r = doc.RootElement;
            Assert.That(r.GetProperty("dataset").GetString(), Is.EqualTo("synthetic"));
            Assert.That(r.GetProperty("fold").GetInt32(), Is.EqualTo(1));
            Assert.That(r.GetProperty("split").GetString(), Is.EqualTo("val"));
            Assert.That(r.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()), Is.EqualTo(Uino.Training.Data.Synthetic.SyntheticFewShotDataset.NovelClasses(1)));
            Assert.That(r.GetProperty("images_per_class").EnumerateObject().Select(p => p.Value.GetInt32()),
                        Has.All.EqualTo(Uino.Training.Data.Synthetic.SyntheticFewShotDataset.NominalImagesPerClass));
        }

        (code, output, err) = Run("dataset-info", "--dataset", "synthetic", "--split", "train");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("synthetic fold 0 train").And.Contain(Uino.Training.Data.Synthetic.SyntheticClass.Get(1).Name).And.Contain("36 classes"));

        (code, _, err) = Run("dataset-info", "--dataset", "synthetic", "--fold", "4");
        Assert.That(code, Is.Not.Zero);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.Contain("fold 4"));
    }

    [Test]
    public void Table_WithoutJson()
    {
        using var t = new TempDir();
        var root = FssTree.Build(t);
        var (code, output, _) = Run("dataset-info", "--dataset", "fss1000", "--root", root, "--fold", "0", "--split", "train");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("fss1000"));
        Assert.That(output, Does.Contain("zebra"));
    }

    [Test]
    public void Errors_ExitNonZero_WithOneLineOnStderr()
    {
        using var t = new TempDir();
        var (code, output, err) = Run("dataset-info", "--dataset", "imagenet", "--root", t.Path, "--json");
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Is.Empty);
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.Contain("unknown dataset 'imagenet'"));

        (code, _, err) = Run("dataset-info", "--dataset", "pascal", "--root", t.Path, "--fold", "7");
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("fold 7"));

        (code, _, err) = Run("dataset-info", "--dataset", "fss1000", "--root", t.Path, "--split", "val");
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain(Path.Combine("splits", "test.txt")));

        (code, _, _) = Run("dataset-info", "--root", t.Path);
        Assert.That(code, Is.Not.Zero, "--dataset is required");
    }
}
