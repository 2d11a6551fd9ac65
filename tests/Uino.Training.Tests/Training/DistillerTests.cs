using NUnit.Framework;
using SixLabors.ImageSharp;
using TorchSharp;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using Uino.Training.Distillation;
using Uino.Training.Tests.Datasets;
using static TorchSharp.torch;

namespace Uino.Training.Tests.Training;

[NonParallelizable]
public class DistillerTests
{
    private static string Images(TempDir dir)
    {
        var ds = new SyntheticFewShotDataset(0, FewShotSplit.Train, imageSize: 48);
        var root = Path.Combine(dir.Path, "images");
        Directory.CreateDirectory(Path.Combine(root, "sa_000000"));
        for (int i = 0; i < 4; i++)
        {
            using var scene = ds.Scene(ds.Classes[i], (ulong)(100 + i));
            scene.Image.SaveAsPng(Path.Combine(root, i < 2 ? "" : "sa_000000", $"sa_{i}.png"));
        }
        File.WriteAllText(Path.Combine(root, "sa_0.json"), "{}");               // SA-1B annotations are not images
        return root;
    }

    /// <summary>A stand-in teacher: a fixed projection of the 64×64-pooled image to 32 channels.</summary>
    private static int _teacherCalls;
    private static Tensor Teacher(Tensor x)
    {
        _teacherCalls++;
        using var proj = linspace(-1, 1, 32 * 3).reshape(32, 3);
        return einsum("oc,bchw->bohw", proj, nn.functional.adaptive_avg_pool2d(x, new long[] { 64, 64 }));
    }

    private static (Distiller D, DinoVisionTransformer E) Make(TempDir dir, string images, bool resume = false)
    {
        var config = UinoFssPresets.Tiny();
        manual_seed(3);
        var encoder = new DinoVisionTransformer(config.Vit);
        var o = new DistillOptions
        {
            ImagesDir = images, CacheDir = Path.Combine(dir.Path, "cache"), OutDir = Path.Combine(dir.Path, "out"),
            Stages = [28, 56], EpochsPerStage = 2, Batch = 2, Seed = 1, Resume = resume, CheckpointEvery = 2, CacheGrid = 8,
        };
        return (new Distiller(o, config, encoder), encoder);
    }

    [Test]
    public void TeacherIsComputedOncePerImage_AndResumeIsExact()
    {
        using var dir = new TempDir();
        var images = Images(dir);
        var (d, e) = Make(dir, images);
        using (d) using (e)
        {
            Assert.That(d.Images, Has.Count.EqualTo(4));
            _teacherCalls = 0;
            Assert.That(d.FillTeacherCache(Teacher, teacherSize: 64), Is.EqualTo(4));
            Assert.That(d.FillTeacherCache(Teacher, teacherSize: 64), Is.Zero);
            Assert.That(_teacherCalls, Is.EqualTo(4));
            var cached = Uino.Checkpoints.SafeTensors.Load(d.CachePath(d.Images[0]))["embedding"];
            Assert.That(cached.shape, Is.EqualTo(new long[] { 32, 8, 8 }));
            Assert.That(cached.dtype, Is.EqualTo(ScalarType.Float16));
            Assert.That(d.TotalSteps, Is.EqualTo(2 * 2 * 2));
            d.Train();
        }
        var straight = Uino.Checkpoints.SafeTensors.Load(Path.Combine(dir.Path, "out", Distiller.AdapterName));
        File.Delete(Path.Combine(dir.Path, "out", Distiller.CheckpointName));
        var (d1, e1) = Make(dir, images);
        using (d1) using (e1) Assert.That(d1.Train(stopAt: 4), Is.EqualTo(4));
        var (d2, e2) = Make(dir, images, resume: true);
        using (d2) using (e2)
        {
            Assert.That(d2.StartStep, Is.EqualTo(4));
            d2.Train();
        }
        var resumed = Uino.Checkpoints.SafeTensors.Load(Path.Combine(dir.Path, "out", Distiller.AdapterName));
        Assert.That(resumed.Keys, Is.EquivalentTo(straight.Keys));
        Assert.That(straight.Keys, Has.Some.StartsWith("adapter."));
        foreach (var (k, v) in straight) Assert.That(v.eq(resumed[k]).all().item<bool>(), Is.True, k);
    }

    [Test]
    public void Batches_ArePermutationsPerEpoch()
    {
        using var dir = new TempDir();
        var (d, e) = Make(dir, Images(dir));
        using (d) using (e)
        {
            var epoch = d.BatchImages(0, 0, 0).Concat(d.BatchImages(0, 0, 1)).ToList();
            Assert.That(epoch, Is.EquivalentTo(d.Images));
            Assert.That(d.BatchImages(1, 1, 0), Is.EqualTo(d.BatchImages(1, 1, 0)));
        }
    }
}
