using NUnit.Framework;
using Uino.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>Eq. 4–8 against a direct per-pixel computation, and the exactness of the cached, pooled form.</summary>
public class ContrastiveEnhancementTests
{
    [Test]
    public void VolumeEqualsPerPixelCosineDifference()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        long c = 5, hq = 3, wq = 4, hs = 3, ws = 2;
        var query = randn(1, c, hq, wq);
        var support = randn(1, c, hs, ws);
        var mask = tensor(new float[] { 1, 0, 1, 1, 0, 0 }).reshape(1, 1, hs, ws);
        var (fg, bg) = ContrastiveEnhancement.SupportSides(support, mask);
        var v = ContrastiveEnhancement.Volume(query, fg.unsqueeze(0), bg.unsqueeze(0));
        Assert.That(v.shape, Is.EqualTo(new long[] { 1, 1, hq, wq, hs, ws }));

        var q = query.data<float>().ToArray();
        var s = support.data<float>().ToArray();
        var m = mask.data<float>().ToArray();
        for (int a = 0; a < hq; a++)
        for (int b = 0; b < wq; b++)
        for (int i = 0; i < hs; i++)
        for (int j = 0; j < ws; j++)
        {
            double Cos(bool foreground)
            {
                double dot = 0, nq = 0, ns = 0;
                double w = foreground ? m[i * ws + j] : 1 - m[i * ws + j];
                for (int k = 0; k < c; k++)
                {
                    double qv = q[k * hq * wq + a * wq + b], sv = w * s[k * hs * ws + i * ws + j];
                    dot += qv * sv; nq += qv * qv; ns += sv * sv;
                }
                return ns == 0 ? 0 : dot / (Math.Sqrt(nq) * Math.Sqrt(ns));
            }
            double expected = Cos(true) - Cos(false);                                  // Eq. 5 − Eq. 6 = Eq. 7
            Assert.That(v[0, 0, a, b, i, j].item<float>(), Is.EqualTo(expected).Within(1e-5), $"V[{a},{b},{i},{j}]");
        }
    }

    [Test]
    public void PooledSupportSideEqualsPoolingTheFullVolume()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var query = randn(2, 6, 5, 5);
        var support = randn(3, 6, 9, 9);                                               // 1 episode × 3 shots
        var mask = (rand(3, 1, 9, 9) > 0.5).to(ScalarType.Float32);
        var (fg, bg) = ContrastiveEnhancement.SupportSides(support, mask);
        var full = ContrastiveEnhancement.Volume(query, fg.unsqueeze(0), bg.unsqueeze(0));   // 2×3×5×5×9×9
        var pooledFull = nn.functional.adaptive_avg_pool2d(full.reshape(-1, 9, 9), new long[] { 4, 4 }).reshape(2, 3, 5, 5, 4, 4);
        var fast = ContrastiveEnhancement.PooledVolume(query, ContrastiveEnhancement.PooledDifference(fg.unsqueeze(0), bg.unsqueeze(0), 4));
        TensorAssert.AllClose(fast, pooledFull, 1e-5, 1e-5, "pooled volume");

        var meanFull = ContrastiveEnhancement.ForegroundVolume(query, fg.unsqueeze(0)).mean(new long[] { 4, 5 });
        var meanFast = ContrastiveEnhancement.MeanForegroundCorrelation(query, ContrastiveEnhancement.MeanForeground(fg.unsqueeze(0)));
        TensorAssert.AllClose(meanFast, meanFull, 1e-5, 1e-5, "Eq. 10 raw term");
    }

    [Test]
    public void MismatchedChannelsAreRejectedBeforeLibtorch()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => ContrastiveEnhancement.PooledVolume(randn(1, 4, 3, 3), randn(new long[] { 1, 1, 5, 2, 2 })));
        Assert.That(ex!.Message, Does.Contain("equal C"));
    }
}
