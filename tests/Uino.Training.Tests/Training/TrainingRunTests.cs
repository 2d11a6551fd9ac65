using NUnit.Framework;
using TorchSharp;
using Uino.Modeling;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using Uino.Training.Tests.Datasets;
using Uino.Training.Settings;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Tests.Training;

[NonParallelizable]
public class TrainingRunTests
{
    private static FssTrainOptions Options(string dir, long steps, bool resume = false, UinoVariant variant = UinoVariant.Full) => new()
    {
        Config = UinoFssPresets.Tiny(variant),
        Batch = 2,
        Steps = steps,
        Seed = 5,
        OutDir = dir,
        Resume = resume,
        CheckpointEvery = 3,
        FromScratch = true,
    };

    private static SyntheticFewShotDataset Data() => new(0, FewShotSplit.Train, imageSize: 64);

    [TestCase(0f)]
    [TestCase(0.5f)]
    public void Resume_EndsBitIdenticalToAnUninterruptedRun(float svpDropout)
    {
        using var dirA = new TempDir();
        using var dirB = new TempDir();
        FssTrainOptions Options(string dir, long steps, bool resume = false) =>
            TrainingRunTests.Options(dir, steps, resume) with { SvpDropout = svpDropout };
        Dictionary<string, Tensor> straight;
        using (var t = new FssTrainer(Options(dirA.Path, 6), Data()))
        {
            t.Train();
            straight = t.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        }
        using (var t = new FssTrainer(Options(dirB.Path, 6), Data()))
            Assert.That(t.Train(stopAt: 3), Is.EqualTo(3));
        using (var t = new FssTrainer(Options(dirB.Path, 6, resume: true), Data()))
        {
            Assert.That(t.StartStep, Is.EqualTo(3));
            t.Train();
            var resumed = t.Model.state_dict();
            Assert.That(resumed.Keys, Is.EquivalentTo(straight.Keys));
            foreach (var (k, v) in straight)
                Assert.That(v.eq(resumed[k]).all().item<bool>(), Is.True, k);
        }
        // And training changed the parameters at all (the comparison above is not vacuous).
        using var dirC = new TempDir();
        using var fresh = new FssTrainer(Options(dirC.Path, 6), Data());
        Assert.That(straight.Any(kv => !kv.Value.eq(fresh.Model.state_dict()[kv.Key]).all().item<bool>()), Is.True);
        Assert.That(File.Exists(Path.Combine(dirB.Path, FssTrainer.ModelName)), Is.True);
    }

    [Test]
    public void Init_CarriesACompRunIntoAFullModelAndRefusesFilesThatDoNotFit()
    {
        using var dirComp = new TempDir();
        using var dirFull = new TempDir();
        string compModel = Path.Combine(dirComp.Path, FssTrainer.ModelName);
        using (var t = new FssTrainer(Options(dirComp.Path, 2, variant: UinoVariant.Comp), Data())) t.Train();
        var comp = Uino.Checkpoints.SafeTensors.Load(compModel);
        using (var t = new FssTrainer(Options(dirFull.Path, 2) with { InitModel = compModel }, Data()))
        {
            var full = t.Model.state_dict();
            Assert.That(t.InitialisedTensors, Is.EqualTo(comp.Keys.Count(full.ContainsKey)).And.GreaterThan(0));
            Assert.That(full.Keys.Where(k => k.StartsWith("mhcm.", StringComparison.Ordinal)), Is.Not.Empty, "the full model has an MHCM the comp file lacks");
            foreach (var (k, v) in comp.Where(kv => full.ContainsKey(kv.Key)))
                Assert.That(v.eq(full[k]).all().item<bool>(), Is.True, $"{k} was not copied from --init");
        }
        // The comp run's training checkpoint serves as well, with the same tensors as its model file: the trained weights
        // and the untrained random buffers (SAM's and the SVP's Fourier matrices), even when this run's seed would draw others.
        using var dirFromCheckpoint = new TempDir();
        using (var t = new FssTrainer(Options(dirFromCheckpoint.Path, 2) with { InitModel = Path.Combine(dirComp.Path, FssTrainer.CheckpointName), Seed = 99 }, Data()))
        {
            var full = t.Model.state_dict();
            Assert.That(t.InitialisedTensors, Is.EqualTo(comp.Keys.Count(full.ContainsKey)));
            Assert.That(t.Model.named_buffers().Select(b => b.name), Has.Some.Contains("gaussian_matrix"), "the test must cover a random buffer");
            foreach (var (k, v) in comp.Where(kv => full.ContainsKey(kv.Key)))
                Assert.That(v.eq(full[k]).all().item<bool>(), Is.True, $"{k} differs from the run the checkpoint came from");
        }
        // Without --from-scratch, --init supplies the frozen encoder and adapter too: only the stage-2 modules train.
        using var dirStage2 = new TempDir();
        using (var t = new FssTrainer(Options(dirStage2.Path, 1) with { FromScratch = false, InitModel = compModel }, Data()))
        {
            var trainable = t.Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
            Assert.That(trainable, Has.Some.StartsWith("mhcm.").And.Some.StartsWith("mask_decoder."));
            Assert.That(trainable, Has.None.StartsWith("encoder.").And.None.StartsWith("adapter."));
            Assert.That(t.Model.state_dict()["encoder.cls_token"].eq(comp["encoder.cls_token"]).all().item<bool>(), Is.True);
        }
        // A model of another size: same keys, other shapes → refused, naming a tensor.
        using var dirOther = new TempDir();
        var other = Options(dirOther.Path, 1) with { Config = UinoFssPresets.Tiny() with { SvpHidden = 8 }, InitModel = compModel };
        var shapes = Assert.Throws<Uino.Checkpoints.CheckpointException>(() => new FssTrainer(other, Data()).Dispose());
        Assert.That(shapes!.Message, Does.Contain("shape"));
        // A safetensors file with none of the model's tensors → refused.
        string foreign = Path.Combine(dirOther.Path, "foreign.safetensors");
        Uino.Checkpoints.SafeTensors.Save(foreign, new Dictionary<string, Tensor> { ["something.else"] = zeros(2) });
        var nothing = Assert.Throws<Uino.Checkpoints.CheckpointException>(() => new FssTrainer(Options(dirOther.Path, 1) with { InitModel = foreign }, Data()).Dispose());
        Assert.That(nothing!.Message, Does.Contain("no tensor of this model"));
        // A stage-2 --init without the encoder would leave it random: refused.
        string noEncoder = Path.Combine(dirOther.Path, "no-encoder.safetensors");
        Uino.Checkpoints.SafeTensors.Save(noEncoder, comp.Where(kv => !kv.Key.StartsWith("encoder.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value));
        var frozen = Assert.Throws<Uino.Checkpoints.CheckpointException>(() => new FssTrainer(Options(dirOther.Path, 1) with { FromScratch = false, InitModel = noEncoder }, Data()).Dispose());
        Assert.That(frozen!.Message, Does.Contain("encoder/adapter"));
    }

    [Test]
    public void Resume_RefusesACheckpointOfOtherSettings()
    {
        using var dir = new TempDir();
        using (var t = new FssTrainer(Options(dir.Path, 6), Data())) t.Train(stopAt: 3);
        var other = Options(dir.Path, 6, resume: true) with { Seed = 6 };
        Assert.That(() => new FssTrainer(other, Data()), Throws.InstanceOf<Uino.Checkpoints.CheckpointException>());
        // The same options on a larger class pool (--extra-classes) are another run too.
        var morePool = new SyntheticFewShotDataset(0, FewShotSplit.Train, imageSize: 64, extraClasses: 50);
        Assert.That(() => new FssTrainer(Options(dir.Path, 6, resume: true), morePool), Throws.InstanceOf<Uino.Checkpoints.CheckpointException>());
        // So are the same classes drawn with look-alike distractors (--hard-distractors).
        var hard = new SyntheticFewShotDataset(0, FewShotSplit.Train, imageSize: 64, hardDistractors: 0.5f);
        Assert.That(() => new FssTrainer(Options(dir.Path, 6, resume: true), hard), Throws.InstanceOf<Uino.Checkpoints.CheckpointException>());
        // And so is the same run with SVP dropout.
        var dropout = Options(dir.Path, 6, resume: true) with { SvpDropout = 0.3f };
        Assert.That(() => new FssTrainer(dropout, Data()), Throws.InstanceOf<Uino.Checkpoints.CheckpointException>());
    }

    [Test]
    public void SvpDropout_DropsTheTokenOfAboutPOfTheEpisodes_AsAPureFunctionOfSeedAndStep()
    {
        using var dir = new TempDir();
        using var t = new FssTrainer(Options(dir.Path, 10) with { Batch = 4, SvpDropout = 0.3f }, Data());
        using var again = new FssTrainer(Options(dir.Path, 10) with { Batch = 4, SvpDropout = 0.3f }, Data());
        var kept = new List<float>();
        for (long step = 0; step < 500; step++)
        {
            using var keep = t.SvpKeep(step)!;
            using var same = again.SvpKeep(step)!;
            Assert.That(keep.shape, Is.EqualTo(new long[] { 4, 1, 1 }));
            Assert.That(keep.eq(same).all().item<bool>(), Is.True, $"step {step}");
            kept.AddRange(keep.data<float>().ToArray());
        }
        Assert.That(kept, Is.All.EqualTo(0f).Or.EqualTo(1f));
        Assert.That(kept.Count(k => k == 0f) / (double)kept.Count, Is.EqualTo(0.3).Within(0.03));
        using var noDropout = new FssTrainer(Options(dir.Path, 10), Data());
        Assert.That(noDropout.SvpKeep(0), Is.Null);
        Assert.That(() => FssTraining.Options(new FssTrainSettings { Dataset = "synthetic", Out = dir.Path, Steps = 1, SvpDropout = 1f }, Data()),
                    Throws.ArgumentException.With.Message.Contains("SVP dropout"));
    }

    [Test]
    public void SupportGrid_OptionSetsTheConfigThatTheModelFileKeeps()
    {
        using var dir = new TempDir();
        var args = new FssTrainSettings { Dataset = "synthetic", Backbone = ModelPreset.Parse("tiny"), Out = dir.Path, Steps = 1, Batch = 1, SupportGrid = 2 };
        var options = FssTraining.Options(args, Data());
        Assert.That(options.Config.SupportGrid, Is.EqualTo(2));
        Assert.That(FssTraining.Options(args with { SupportGrid = null }, Data()).Config.SupportGrid, Is.EqualTo(UinoFssPresets.Tiny().SupportGrid));
        Assert.That(() => FssTraining.Options(args with { SupportGrid = -1 }, Data()), Throws.ArgumentException.With.Message.Contains("support grid must be 0"));
        using (var t = new FssTrainer(options with { FromScratch = true }, Data())) t.Train();
        using var model = UinoModelFile.Load(Path.Combine(dir.Path, FssTrainer.ModelName));
        Assert.That(model.Config.SupportGrid, Is.EqualTo(2));
    }

    [Test]
    public void Loss_FallsOnAShortSyntheticRun()
    {
        using var dir = new TempDir();
        var o = Options(dir.Path, 40) with { Batch = 4, CheckpointEvery = 1000 };
        var losses = new List<float>();
        using var t = new FssTrainer(o, Data());
        t.Train(new SynchronousProgress<StepReport>(r => losses.Add(r.Loss)));
        float first = losses.Take(8).Average(), last = losses.TakeLast(8).Average();
        TestContext.Progress.WriteLine($"loss first {first:F3} last {last:F3}");
        // Deterministic (fixed seed, CPU): this run goes from 2.95 to 2.60; an untrained or broken loop stays at the first value.
        Assert.That(last, Is.LessThan(first * 0.92f), $"first {first}, last {last}");
    }

    [Test]
    public void OneForward_GradientModeEqualsInferenceMode_FreezingIsRequiresGrad_PcsAndSvpDropoutAreOptions()
    {
        manual_seed(1);
        using var model = new UinoFss(UinoFssPresets.Tiny());
        model.eval();
        using var batch = EpisodeBatch.ForTraining(Data(), 0, 0, 2, 2, 56);
        UinoFssOutput own;
        using (inference_mode()) own = model.Forward(batch.SupportImages, batch.SupportMasks, batch.QueryImages);
        using var _own = own;
        // The same forward with gradients on (every weight trainable, the from-scratch mode) gives the same numbers
        // and back-propagates into the encoder and the adapter.
        using (var graph = model.Forward(batch.SupportImages, batch.SupportMasks, batch.QueryImages))
        {
            Assert.That(graph.MaskLogits.allclose(own.MaskLogits, rtol: 1e-4, atol: 1e-5), Is.True);
            Assert.That(graph.PriorLogits!.allclose(own.PriorLogits!, rtol: 1e-4, atol: 1e-5), Is.True);
            using var loss = graph.MaskLogits.sum().add(graph.PriorLogits!.sum(), Scalars.One);
            loss.backward();
        }
        Assert.That(model.Encoder.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0), Is.True, "gradients reach the encoder");
        // Stage 2: frozen by requires_grad, the encoder and the adapter get no gradient from the same forward.
        model.zero_grad();
        model.FreezeForStage2();
        foreach (var p in model.Encoder.parameters().Concat(model.Adapter.parameters())) p.grad = null;
        using (var graph = model.Forward(batch.SupportImages, batch.SupportMasks, batch.QueryImages))
        using (var loss = graph.MaskLogits.sum()) loss.backward();
        Assert.That(model.Encoder.parameters().Concat(model.Adapter.parameters()).All(p => p.grad is null), Is.True, "frozen parts get no gradient");
        Assert.That(model.Svp.parameters().Any(p => p.grad is not null), Is.True, "trained parts do");

        using var scope = inference_mode();
        using var pcs = model.Forward(batch.SupportImages, batch.SupportMasks, batch.QueryImages, prototypePrior: true);
        Assert.That(pcs.PriorLogits, Is.Null);
        Assert.That(pcs.MaskLogits.allclose(own.MaskLogits, rtol: 1e-4, atol: 1e-5), Is.False);
        // --svp-dropout: a dropped SVP token changes that episode's mask only, and never the dense prompt.
        using var keep = tensor(new[] { 1f, 0f }).reshape(2, 1, 1);
        using var dropped = model.Forward(batch.SupportImages, batch.SupportMasks, batch.QueryImages, svpKeep: keep);
        Assert.That(dropped.MaskLogits[0].allclose(own.MaskLogits[0], rtol: 1e-4, atol: 1e-5), Is.True, "a kept token changes nothing");
        Assert.That(dropped.MaskLogits[1].allclose(own.MaskLogits[1], rtol: 1e-4, atol: 1e-5), Is.False, "a dropped token changes the mask");
        Assert.That(dropped.PriorLogits!.allclose(own.PriorLogits!, rtol: 1e-4, atol: 1e-5), Is.True, "the dense prompt does not use the token");
    }

    [Test]
    public void EpisodeBatch_IsAPureFunctionOfSeedAndStep()
    {
        using var a = EpisodeBatch.ForTraining(Data(), 3, 7, 3, 1, 56);
        using var b = EpisodeBatch.ForTraining(Data(), 3, 7, 3, 1, 56);
        using var c = EpisodeBatch.ForTraining(Data(), 3, 8, 3, 1, 56);
        Assert.That(a.QueryImages.eq(b.QueryImages).all().item<bool>(), Is.True);
        Assert.That(a.QueryLabels.eq(b.QueryLabels).all().item<bool>(), Is.True);
        Assert.That(a.SupportMasks.eq(b.SupportMasks).all().item<bool>(), Is.True);
        Assert.That(a.QueryImages.eq(c.QueryImages).all().item<bool>(), Is.False);
        Assert.That(a.QueryImages.shape, Is.EqualTo(new long[] { 3, 3, 56, 56 }));
        Assert.That(a.SupportImages.shape, Is.EqualTo(new long[] { 3, 1, 3, 56, 56 }));
        // Support masks are binary; query labels keep 0, 1 and 255 only.
        Assert.That(a.SupportMasks.eq(0).logical_or(a.SupportMasks.eq(1)).all().item<bool>(), Is.True);
        Assert.That(a.QueryLabels.eq(0).logical_or(a.QueryLabels.eq(1)).logical_or(a.QueryLabels.eq(255)).all().item<bool>(), Is.True);
    }

    [Test]
    public void Augmentation_RotationPadsImageWithMeanAndLabelWith255()
    {
        var image = full(3, 20, 20, 7f);
        var label = ones(20, 20);
        var (img, lab) = EpisodeAugmentation.Rotate(image, label, 10);
        // Corners come from outside the source: padded.
        Assert.That(lab[0, 0].item<float>(), Is.EqualTo(255f));
        Assert.That(img[0, 0, 0].item<float>(), Is.EqualTo(EpisodeAugmentation.Mean[0]).Within(1e-3));
        Assert.That(lab[10, 10].item<float>(), Is.EqualTo(1f));
        Assert.That(img[1, 10, 10].item<float>(), Is.EqualTo(7f).Within(1e-3));
        // Crop pads small images to the size with the mean / 255.
        var (ci, cl) = EpisodeAugmentation.Crop(full(3, 10, 10, 7f), ones(10, 10), 16, new Random(0));
        Assert.That(ci.shape, Is.EqualTo(new long[] { 3, 16, 16 }));
        Assert.That(cl.eq(255).sum().item<long>(), Is.EqualTo(16 * 16 - 100));
        Assert.That(cl.eq(1).sum().item<long>(), Is.EqualTo(100));
    }
}
