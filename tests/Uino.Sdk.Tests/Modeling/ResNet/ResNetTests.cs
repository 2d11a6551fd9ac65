using NUnit.Framework;
using Uino.Modeling.ResNet;
using static TorchSharp.torch;
using ResNetModel = Uino.Modeling.ResNet.ResNet;

namespace Uino.Tests.Modeling;

/// <summary>The ResNet module without weights: key layout, frozen mode, feature shapes and early stop.</summary>
public class ResNetTests
{
    [Test]
    public void StateDictHasTorchvisionKeysAndTheCntkLayout()
    {
        using var model = new ResNetModel(ResNetConfig.Cntk18, device: META);
        var keys = model.state_dict().Keys.ToList();
        Assert.That(keys, Does.Contain("conv1.weight").And.Contain("bn1.running_var").And.Contain("layer4.2.conv2.weight")
                             .And.Contain("layer2.0.downsample.0.weight").And.Contain("layer4.0.downsample.1.running_mean"));
        Assert.That(keys, Has.None.Contains("num_batches_tracked").And.None.Contains("layer1.0.downsample").And.None.StartsWith("layer4.3."));
        Assert.That(keys.Where(k => k.StartsWith("layer", StringComparison.Ordinal)).Select(k => k[..8]).Distinct(),
                    Is.EqualTo(new[] { "layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1", "layer4.0", "layer4.1", "layer4.2" }));
        Assert.That(model.state_dict().Values.Sum(t => t.numel()), Is.EqualTo(15_908_800));
        Assert.That(model.parameters().All(p => !p.requires_grad), Is.True, "frozen");
    }

    [Test]
    public void TrainLeavesItInEvalMode()
    {
        using var model = new ResNetModel(ResNetConfig.Cntk18, device: META);
        model.train();
        Assert.That(model.training, Is.False);
        Assert.That(model.modules().All(m => !m.training), Is.True);
    }

    [Test]
    public void FeaturesHaveEveryBlockPerStageAndStopEarly()
    {
        using var model = new ResNetModel(ResNetConfig.Cntk18);
        using var _ = inference_mode();
        using var x = randn(2, 3, 96, 64);
        long live = Tensor.TotalCount;
        using (var f = model.ForwardFeatures(x))
        {
            Assert.That(f.Stages.Select(s => s.Count), Is.EqualTo(new[] { 2, 2, 2, 3 }));
            for (var s = 1; s <= 4; s++)
                foreach (var t in f.Stage(s))
                    Assert.That(t.shape, Is.EqualTo(new long[] { 2, ResNetConfig.Cntk18.Channels[s - 1], 96 / (4 << (s - 1)), 64 / (4 << (s - 1)) }));
            using var min = f.Stage(1)[0].min();
            Assert.That(min.item<float>(), Is.GreaterThanOrEqualTo(0f), "after the block's ReLU");
        }
        using (var f = model.ForwardFeatures(x, lastStage: 2))
            Assert.That(f.Stages.Select(s => s.Count), Is.EqualTo(new[] { 2, 2 }));
        using (var pooled = model.forward(x))
            Assert.That(pooled.shape, Is.EqualTo(new long[] { 2, 512 }));
        Assert.That(Tensor.TotalCount, Is.EqualTo(live), "every intermediate freed");
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardFeatures(x, lastStage: 5));
        using var gray = randn(1, 1, 64, 64);
        Assert.Throws<ArgumentException>(() => model.ForwardFeatures(gray));
    }

    [Test]
    public void FromNormalizedRgbIsBgr255MinusTheMeans()
    {
        using var scope = NewDisposeScope();
        var rgb01 = rand(1, 3, 8, 8);
        var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
        var std = tensor(new[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
        var normalized = (rgb01 - mean) / std;
        var bgr = ResNetModel.FromNormalizedRgb(normalized);
        for (var c = 0; c < 3; c++)
        {
            var expected = rgb01.select(1, 2 - c).mul(tensor(255f)) - tensor((float)ResNetModel.MeanBgr[c]);
            Assert.That((bgr.select(1, c) - expected).abs().max().item<float>(), Is.LessThan(1e-3f), $"channel {c}");
        }
        Assert.That(normalized.shape, Is.EqualTo(bgr.shape));
    }
}
