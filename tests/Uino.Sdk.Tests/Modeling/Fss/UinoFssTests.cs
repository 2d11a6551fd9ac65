using NUnit.Framework;
using TorchSharp;
using Uino.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>The whole segmenter on a tiny backbone: shapes, caching, K-shot, and what trains per variant.</summary>
public class UinoFssTests
{
    private static IEnumerable<TestCaseData> VariantsAndSizes() =>
        from v in Enum.GetValues<UinoVariant>() from s in new[] { 518, 224 } select new TestCaseData(v, s);

    [TestCaseSource(nameof(VariantsAndSizes))]
    public void ForwardGivesMasksOfTheRightShapesAndFiniteValues(UinoVariant variant, int size)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new UinoFss(TinyUino.Config(variant, size));
        model.eval();
        var (support, masks, query) = TinyUino.Episode(size, shots: 2, batch: 1);
        long grid = size / 14;
        using var _ = no_grad();
        using var reference = model.EncodeReference(support, masks);
        Assert.That(reference.SparsePrompt.shape, Is.EqualTo(new long[] { 1, 1, 32 }));
        if (model.HasDensePromptGenerator)
        {
            Assert.That(reference.PooledDifferences, Has.Count.EqualTo(3));
            Assert.That(reference.PooledDifferences[0].shape, Is.EqualTo(new long[] { 1, 2, 32, 8, 8 }));
            Assert.That(reference.MeanForeground!.shape, Is.EqualTo(new long[] { 1, 2, 32 }));
        }
        else Assert.That(reference.Prototype!.shape, Is.EqualTo(new long[] { 1, 32 }));

        using var output = model.Segment(query, reference);
        Assert.That(output.MaskLogits.shape, Is.EqualTo(new long[] { 1, 1, size, size }));
        Assert.That(output.LowResLogits.shape, Is.EqualTo(new long[] { 1, 1, 4 * grid, 4 * grid }));
        Assert.That(output.IouPrediction.shape, Is.EqualTo(new long[] { 1, 1 }));
        Assert.That(output.MaskLogits.isfinite().all().item<bool>(), Is.True);
        if (model.HasDensePromptGenerator)
        {
            Assert.That(output.PriorLogits!.shape, Is.EqualTo(new long[] { 1, 1, 4 * grid, 4 * grid }));
            Assert.That(output.PriorLogits!.isfinite().all().item<bool>(), Is.True);
        }
        else Assert.That(output.PriorLogits, Is.Null);
    }

    [TestCase(UinoVariant.Full)]
    [TestCase(UinoVariant.Cp4d)]
    public void FreshModelsHaveFiniteParametersAndPyTorchNormInit(UinoVariant variant)
    {
        // Regression: TorchSharp's GroupNorm left its bias uninitialised; every parameter must start finite.
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            using var garbage = full(1 << 20, float.NaN);                          // dirty the allocator's free memory
            garbage.Dispose();
            using var model = new UinoFss(TinyUino.Config(variant, 224));
            foreach (var (name, p) in model.named_parameters())
                Assert.That(p.isfinite().all().item<bool>(), Is.True, $"{name} is not finite after construction");
            foreach (var (name, m) in model.named_modules().Where(m => m.module is TorchSharp.Modules.GroupNorm))
            {
                var gn = (TorchSharp.Modules.GroupNorm)m;
                Assert.That(gn.bias!.eq(0).all().item<bool>() && gn.weight!.eq(1).all().item<bool>(), Is.True, name);
            }
        }
    }

    [Test]
    public void HypercorrelationKeepsShapesAtPaddedSizes()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var mhcm = new MambaHyperCorrelation(3, 8, 4, 4, 4, withVss: true);
        foreach (var (hq, hs) in new[] { (37L, 8L), (16L, 8L), (5L, 3L) })
        {
            var v = randn(new[] { 2, 3, hq, hq, hs, hs });
            using var _ = no_grad();
            var y = mhcm.call(v);
            Assert.That(y.shape, Is.EqualTo(new long[] { 2, 8, hq, hq, hs, hs }), $"{hq}/{hs}");
            Assert.That(y.isfinite().all().item<bool>(), Is.True);
        }
    }

    [Test]
    public void CachedReferenceGivesBitIdenticalOutputAndNoSupportWork()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new UinoFss(TinyUino.Config(UinoVariant.Full, 224));
        model.eval();
        var (support, masks, query) = TinyUino.Episode(224);
        using var _ = no_grad();
        using var cached = model.EncodeReference(support, masks);
        long encodings = model.ReferenceEncodings;
        using var first = model.Segment(query, cached);
        using var second = model.Segment(query, cached);
        Assert.That(model.ReferenceEncodings, Is.EqualTo(encodings), "segmenting must not re-encode the reference");
        using var fresh = model.EncodeReference(support, masks);
        using var uncached = model.Segment(query, fresh);
        Assert.That(Identical(first.MaskLogits, second.MaskLogits), Is.True);
        Assert.That(Identical(first.MaskLogits, uncached.MaskLogits), Is.True, "the cached path must equal computing the reference anew");
        Assert.That(Identical(first.PriorLogits!, uncached.PriorLogits!), Is.True);
    }

    private static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [TestCase(UinoVariant.Full)]
    [TestCase(UinoVariant.Comp)]
    public void KShotWithIdenticalShotsEqualsOneShot(UinoVariant variant)
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = new UinoFss(TinyUino.Config(variant, 224));
        model.eval();
        var (support, masks, query) = TinyUino.Episode(224, shots: 1);
        using var _ = no_grad();
        using var one = model.Segment(query, model.EncodeReference(support, masks));
        using var two = model.Segment(query, model.EncodeReference(support.expand(1, 2, -1, -1, -1), masks.expand(1, 2, -1, -1)));
        TensorAssert.AllClose(two.MaskLogits, one.MaskLogits, 1e-4, 1e-4, "K=2 of the same shot vs K=1");
    }

    [TestCase(UinoVariant.Full)]
    [TestCase(UinoVariant.Comp)]
    [TestCase(UinoVariant.CompStar)]
    [TestCase(UinoVariant.Cp4d)]
    public void OnlyTheVariantsTrainablePartsReceiveGradients(UinoVariant variant)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = new UinoFss(TinyUino.Config(variant, 224));
        model.FreezeForStage2();
        model.train();
        var (support, masks, query) = TinyUino.Episode(224, batch: 2);
        using var reference = model.EncodeReference(support, masks);
        using var output = model.Segment(query, reference);
        var loss = output.MaskLogits.sigmoid().mean();
        if (output.PriorLogits is not null) loss = loss + output.PriorLogits.sigmoid().mean();
        loss.backward();

        var trainable = new HashSet<TorchSharp.Modules.Parameter>(model.Stage2TrainableModules.SelectMany(m => m.parameters()), ReferenceEqualityComparer<TorchSharp.Modules.Parameter>.Instance);
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.That(p.requires_grad, Is.EqualTo(trainable.Contains(p)), name);
            if (!trainable.Contains(p)) Assert.That(p.grad, Is.Null, $"{name} is frozen in stage 2 for {variant}");
        }
        // Every trained module is reached by the loss (SAM's point embeddings and the unused multimask heads are
        // trainable but this prompt path never feeds them, as in the paper's setting).
        foreach (var m in model.Stage2TrainableModules)
            Assert.That(m.parameters().Any(p => p.grad is not null && p.grad.abs().sum().item<float>() > 0), Is.True,
                        $"{m.GetType().Name} receives no gradient");
    }
}
