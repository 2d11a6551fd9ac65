using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.Coco;

namespace Uino.Training.Tests.Datasets;

/// <summary>A fake COCO 2014 tree: train2014/, val2014/, annotations/instances_{train,val}2014.json.</summary>
internal static class CocoTree
{
    public static string Rect(int x0, int y0, int x1, int y1) => $"[{x0},{y0},{x1},{y0},{x1},{y1},{x0},{y1}]";

    public static string Build(TempDir t)
    {
        var train = t.Sub("train2014");
        var val = t.Sub("val2014");
        var ann = t.Sub("annotations");
        string Img(string set, int id, int w, int h, string dir)
        {
            var name = $"COCO_{set}_{id:D12}.jpg";
            FakeImages.Jpeg(Path.Combine(dir, name), w, h);
            return $$"""{"id":{{id}},"file_name":"{{name}}","width":{{w}},"height":{{h}}}""";
        }
        string Poly(int id, int image, int cat, params string[] polys) =>
            $$"""{"id":{{id}},"image_id":{{image}},"category_id":{{cat}},"iscrowd":0,"area":1.0,"bbox":[0,0,1,1],"segmentation":[{{string.Join(",", polys)}}]}""";
        const string cats = """[{"id":1,"name":"person"},{"id":2,"name":"bicycle"},{"id":3,"name":"car"},{"id":5,"name":"airplane"},{"id":9,"name":"boat"},{"id":13,"name":"stop sign"}]""";

        // val: image 1 (8×6) holds the exactly-checked masks; images 2..4 (64×48) a large person each.
        var valImages = new[] { Img("val2014", 1, 8, 6, val), Img("val2014", 2, 64, 48, val), Img("val2014", 3, 64, 48, val), Img("val2014", 4, 64, 48, val) };
        var valAnns = new[]
        {
            Poly(101, 1, 1, Rect(1, 1, 5, 4)),
            Poly(102, 1, 1, "[0.4,0.6,6.3,1.2,3.7,5.8]"),
            """{"id":103,"image_id":1,"category_id":5,"iscrowd":1,"segmentation":{"counts":[7,3,20,4,14],"size":[6,8]}}""",
            """{"id":104,"image_id":1,"category_id":9,"iscrowd":1,"segmentation":{"counts":"=2n0OTO","size":[6,8]}}""",
            Poly(105, 1, 13, "[0.4,0.6,6.3,1.2,3.7,5.8]"),
            Poly(106, 2, 1, Rect(0, 0, 64, 40)),
            Poly(107, 3, 1, Rect(0, 0, 64, 40)),
            Poly(108, 4, 1, Rect(0, 0, 64, 40)),
        };
        File.WriteAllText(Path.Combine(ann, "instances_val2014.json"),
            $$"""{"info":{},"licenses":[],"images":[{{string.Join(",", valImages)}}],"annotations":[{{string.Join(",", valAnns)}}],"categories":{{cats}}}""");

        var trainImages = Enumerable.Range(10, 5).Select(id => Img("train2014", id, 64, 48, train)).ToArray();
        var trainAnns = new[]
        {
            Poly(201, 10, 2, Rect(0, 0, 64, 40)),                       // bicycle 2560 px
            Poly(202, 11, 2, Rect(0, 0, 10, 10)),                       // bicycle 100 px: filtered
            Poly(203, 12, 2, Rect(0, 0, 64, 40)), Poly(204, 12, 1, Rect(0, 40, 10, 48)), // + a small person
            Poly(205, 13, 3, Rect(0, 0, 30, 40)), Poly(206, 13, 3, Rect(30, 0, 60, 40)), // two 1200 px cars, union 2400
            Poly(207, 14, 2, Rect(0, 0, 64, 40)),
        };
        File.WriteAllText(Path.Combine(ann, "instances_train2014.json"),
            $$"""{"images":[{{string.Join(",", trainImages)}}],"annotations":[{{string.Join(",", trainAnns)}}],"categories":{{cats}}}""");
        return t.Path;
    }

    public static byte[] Grid(params string[] rows) => rows.SelectMany(r => r.Select(c => (byte)(c - '0'))).ToArray();
}

[TestFixture]
public class CocoDatasetTests
{
    [Test]
    public void Folds_AreInterleaved_ForEveryFold()
    {
        var all = Enumerable.Range(1, 80).ToArray();
        for (var f = 0; f < 4; f++)
        {
            var novel = CocoFolds.Novel(f);
            var @base = CocoFolds.Base(f);
            // PFENet/HDMNet use_split_coco: range(f+1, 81, 4); HSNet: fold + 4v (0-based).
            Assert.That(novel, Is.EqualTo(Enumerable.Range(0, 20).Select(v => f + 1 + 4 * v)));
            Assert.That(@base, Has.Count.EqualTo(60));
            Assert.That(@base.Intersect(novel), Is.Empty);
            Assert.That(@base.Union(novel).Order(), Is.EqualTo(all));
        }
        Assert.That(CocoFolds.Novel(0).Take(3), Is.EqualTo(new[] { 1, 5, 9 }));
        Assert.That(CocoFolds.Novel(3).Last(), Is.EqualTo(80));
    }

    [Test]
    public void CategoryIds_MapToContiguousClasses()
    {
        Assert.That(CocoFolds.CategoryIds, Has.Count.EqualTo(80));
        Assert.That(CocoFolds.CategoryIds, Is.Ordered.Ascending);
        Assert.That(CocoFolds.ClassOfCategory(1), Is.EqualTo(1));
        Assert.That(CocoFolds.ClassOfCategory(11), Is.EqualTo(11));
        Assert.That(CocoFolds.ClassOfCategory(12), Is.Zero);
        Assert.That(CocoFolds.ClassOfCategory(13), Is.EqualTo(12));
        Assert.That(CocoFolds.ClassOfCategory(90), Is.EqualTo(80));
    }

    [Test]
    public void Polygon_RasterisesLikePycocotools()
    {
        // Hand-traced rleFrPoly: the 4x3 rectangle (1,1)-(5,4) covers pixels x 1..4, y 1..3: counts 7,3,3,3,3,3,3,3,20.
        var rect = CocoMask.FromPolygon([1, 1, 5, 1, 5, 4, 1, 4], 6, 8);
        Assert.That(rect.Counts, Is.EqualTo(new uint[] { 7, 3, 3, 3, 3, 3, 3, 3, 20 }));
        Assert.That(rect.Decode(), Is.EqualTo(CocoTree.Grid("00000000", "01111000", "01111000", "01111000", "00000000", "00000000")));
        // A sloped triangle; expectation = pycocotools' maskApi.c output for the same polygon.
        var tri = CocoMask.FromPolygon([0.4, 0.6, 6.3, 1.2, 3.7, 5.8], 6, 8);
        Assert.That(tri.Counts, Is.EqualTo(new uint[] { 7, 1, 5, 3, 3, 4, 2, 3, 3, 2, 15 }));
        Assert.That(CocoMask.Union([rect, tri]).Counts, Is.EqualTo(new uint[] { 7, 3, 3, 3, 3, 4, 2, 3, 3, 2, 15 }));
    }

    [Test]
    public void CompressedString_DecodesDeltasAndNegatives()
    {
        // "=2n0OTO": 13, 2, 30 (two chars), 1 = -1 + 2, 2 = -28 + 30.
        var rle = CocoMask.FromCompressedString("=2n0OTO", 6, 8);
        Assert.That(rle.Counts, Is.EqualTo(new uint[] { 13, 2, 30, 1, 2 }));
        Assert.That(rle.Area, Is.EqualTo(3));
    }

    [Test]
    public void JsonAnnotations_DecodeToExactMasks()
    {
        using var t = new TempDir();
        var ds = (CocoDataset)DatasetFactory.Open("coco", CocoTree.Build(t), 0, FewShotSplit.Val);
        // Person: union of the rectangle and the triangle polygons.
        Assert.That(ds.MaskOf(1, 1).Values, Is.EqualTo(CocoTree.Grid(
            "00000000", "01111100", "01111100", "01111000", "00010000", "00000000")));
        // Airplane: uncompressed crowd RLE 7,3,20,4,14 (column-major): x=1 rows 1..3, x=5 rows 0..3.
        Assert.That(ds.MaskOf(1, 5).Values, Is.EqualTo(CocoTree.Grid(
            "00000100", "01000100", "01000100", "01000100", "00000000", "00000000")));
        // Boat: compressed RLE 13,2,30,1,2: x=2 rows 1..2, x=7 row 3.
        Assert.That(ds.MaskOf(1, 9).Values, Is.EqualTo(CocoTree.Grid(
            "00000000", "00100000", "00100000", "00000001", "00000000", "00000000")));
        // Stop sign (category 13 → class 12): the triangle alone.
        Assert.That(ds.MaskOf(1, 12).Values, Is.EqualTo(CocoTree.Grid(
            "00000000", "01111100", "00111100", "00111000", "00010000", "00000000")));
        var m = ds.MaskOf(1, 1);
        Assert.That((m.Width, m.Height), Is.EqualTo((8, 6)));
    }

    [Test]
    public void ValView_FiltersSmallClasses()
    {
        using var t = new TempDir();
        var ds = (CocoDataset)DatasetFactory.Open("coco", CocoTree.Build(t), 0, FewShotSplit.Val);
        Assert.That(ds.Classes, Is.EqualTo(CocoFolds.Novel(0)));
        Assert.That(ds.ImageIds(1), Is.EqualTo(new long[] { 2, 3, 4 }), "image 1's 15-pixel person is below 2·32·32");
        Assert.That(ds.ImagesPerClass[5], Is.Zero);
        Assert.That(ds.ImagesPerClass[9], Is.Zero);
    }

    [Test]
    public void TrainView_FilterUnionAndNovelExclusion()
    {
        using var t = new TempDir();
        var root = CocoTree.Build(t);
        var f0 = (CocoDataset)DatasetFactory.Open("coco", root, 0, FewShotSplit.Train);
        Assert.That(f0.Classes, Is.EqualTo(CocoFolds.Base(0)));
        // 11 is too small; 12 holds a (novel in fold 0) person.
        Assert.That(f0.ImageIds(2), Is.EqualTo(new long[] { 10, 14 }));
        // Two 1200 px cars: each below the threshold, their union above it.
        Assert.That(f0.ImageIds(3), Is.EqualTo(new long[] { 13 }));
        var f1 = (CocoDataset)DatasetFactory.Open("coco", root, 1, FewShotSplit.Train);
        // Fold 1: bicycle (2) is novel, so images 10, 11, 12 and 14 leave the train lists, person included.
        Assert.That(f1.ImageIds(1), Is.Empty);
        Assert.That(f1.ImageIds(3), Is.EqualTo(new long[] { 13 }));
    }

    [Test]
    public void Sampling_IsDeterministic_AndSupportNeverQuery()
    {
        using var t = new TempDir();
        var ds = DatasetFactory.Open("coco", CocoTree.Build(t), 0, FewShotSplit.Train);
        List<string> Run(int seed)
        {
            var rng = new Random(seed);
            var seq = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                using var e = ds.Sample(rng, 1, i);
                Assert.That(e.ClassId, Is.EqualTo(2), "only bicycle has two images");
                Assert.That(e.Support[0].Name, Is.Not.EqualTo(e.Query.Name));
                Assert.That(e.Query.Mask.Values.Count(v => v == 1), Is.EqualTo(2560));
                Assert.That((e.Query.Image.Width, e.Query.Image.Height), Is.EqualTo((64, 48)));
                seq.Add(e.Query.Name + ">" + e.Support[0].Name);
            }
            return seq;
        }
        Assert.That(Run(3), Is.EqualTo(Run(3)));
        Assert.Throws<DatasetException>(() => ds.Sample(new Random(0), 2, 0));
    }

    [Test]
    public void Errors_NameTheMissingFile_AndBadCategories()
    {
        using var t = new TempDir();
        var root = CocoTree.Build(t);
        File.Delete(Path.Combine(root, "annotations", "instances_train2014.json"));
        var ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("coco", root, 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("instances_train2014.json"));
        File.WriteAllText(Path.Combine(root, "annotations", "instances_train2014.json"),
            """{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"annotations":[{"id":9,"image_id":1,"category_id":12,"iscrowd":0,"segmentation":[[0,0,2,0,2,2]]}],"categories":[]}""");
        ex = Assert.Throws<DatasetException>(() => DatasetFactory.Open("coco", root, 0, FewShotSplit.Train));
        Assert.That(ex!.Message, Does.Contain("category id 12"));
    }
}
