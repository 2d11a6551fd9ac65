using NUnit.Framework;
using TorchSharp;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

[TestFixture]
public class StateDictTests
{
    /// <summary>fc.weight [2,3], fc.bias [2], bn.weight/bias/running_mean/running_var [2], bn.num_batches_tracked (int64).</summary>
    private static nn.Module Model() => nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(2)));

    /// <summary>A checkpoint that fits <see cref="Model"/> exactly, with values no initializer produces.</summary>
    private static Dictionary<string, Tensor> Fitting(string prefix = "") => new()
    {
        [prefix + "fc.weight"] = full(2, 3, 0.5f), [prefix + "fc.bias"] = full(2, -1.5f),
        [prefix + "bn.weight"] = full(2, 2f), [prefix + "bn.bias"] = full(2, 3f),
        [prefix + "bn.running_mean"] = full(2, 4f), [prefix + "bn.running_var"] = full(2, 5f),
        [prefix + "bn.num_batches_tracked"] = tensor(9L),
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module m) => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

    private static void AssertUnchanged(nn.Module m, Dictionary<string, Tensor> before) =>
        CheckpointFixtures.AssertIdentical(m.state_dict(), before, "module after a failed load");

    [Test]
    public void StrictLoadCopiesEveryValue()
    {
        using var m = Model();
        var ckpt = Fitting();
        StateDict.Load(m, ckpt, "test");
        CheckpointFixtures.AssertIdentical(m.state_dict(), ckpt, "loaded");
    }

    [Test]
    public void PrefixSelectsAndStripsKeys()
    {
        using var m = Model();
        var ckpt = Fitting("encoder.");
        ckpt["decoder.other"] = zeros(1);
        StateDict.Load(m, ckpt, "test", prefix: "encoder.");
        Assert.That(m.state_dict()["fc.bias"][0].item<float>(), Is.EqualTo(-1.5f));
    }

    [Test]
    public void EveryProblemIsListedOnceAndNothingIsCopied()
    {
        using var m = Model();
        var before = Snapshot(m);
        var ckpt = Fitting();
        ckpt.Remove("bn.bias");                  // missing
        ckpt["extra.weight"] = zeros(1);         // unexpected
        ckpt["fc.weight"] = zeros(3, 2);         // shape mismatch
        var e = Assert.Throws<CheckpointException>(() => StateDict.Load(m, ckpt, "ckpt.safetensors"))!;
        Assert.That(e.Message, Does.Contain("ckpt.safetensors")
                                   .And.Contain("missing key(s): bn.bias")
                                   .And.Contain("unexpected key(s): extra.weight")
                                   .And.Contain("fc.weight: checkpoint [3, 2], expected [2, 3]"));
        AssertUnchanged(m, before);
    }

    [Test]
    public void DTypeKindMismatchIsCaughtBeforeAnyCopy()
    {
        using var m = Model();
        var before = Snapshot(m);
        var ckpt = Fitting();
        ckpt["bn.num_batches_tracked"] = tensor(9f); // float where the module holds int64; sorted last, so a copy-as-you-go loader would have copied the rest
        var e = Assert.Throws<CheckpointException>(() => StateDict.Load(m, ckpt, "test"))!;
        Assert.That(e.Message, Does.Contain("bn.num_batches_tracked"));
        AssertUnchanged(m, before);
    }

    [Test]
    public void NonStrictToleratesMissingAndUnexpected()
    {
        using var m = Model();
        var before = Snapshot(m);
        var ckpt = Fitting();
        ckpt.Remove("bn.running_var");
        ckpt["extra"] = zeros(1);
        StateDict.Load(m, ckpt, "test", strict: false);
        var after = m.state_dict();
        Assert.That(after["fc.bias"][1].item<float>(), Is.EqualTo(-1.5f));
        Assert.That(after["bn.running_var"].equal(before["bn.running_var"]).all().item<bool>(), Is.True, "a missing key keeps the module's value");
    }

    [Test]
    public void NonStrictStillRefusesShapeMismatch()
    {
        using var m = Model();
        var before = Snapshot(m);
        var ckpt = Fitting();
        ckpt.Remove("bn.bias");
        ckpt["fc.bias"] = zeros(3);
        var e = Assert.Throws<CheckpointException>(() => StateDict.Load(m, ckpt, "test", strict: false))!;
        Assert.That(e.Message, Does.Contain("fc.bias").And.Not.Contain("missing"));
        AssertUnchanged(m, before);
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void NonFiniteValuesAreRefusedByName(float bad)
    {
        using var m = Model();
        var before = Snapshot(m);
        var ckpt = Fitting();
        ckpt["bn.running_mean"] = tensor(new[] { 1f, bad });
        var e = Assert.Throws<CheckpointException>(() => StateDict.Load(m, ckpt, "nan.pth"))!;
        Assert.That(e.Message, Does.Contain("NaN or Inf").And.Contain("bn.running_mean").And.Contain("nan.pth"));
        AssertUnchanged(m, before);
    }

    [Test]
    public void HalfPrecisionCheckpointIsConvertedToTheModuleDtype()
    {
        using var m = Model();
        var ckpt = Fitting().ToDictionary(kv => kv.Key, kv => kv.Value.is_floating_point() ? kv.Value.to(ScalarType.Float16) : kv.Value);
        StateDict.Load(m, ckpt, "test");
        Assert.That(m.state_dict()["fc.weight"].dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(m.state_dict()["bn.running_var"][0].item<float>(), Is.EqualTo(5f));
    }
}
