using System.Runtime.Intrinsics;
using NUnit.Framework;
using Uino.Modeling.Mamba;

namespace Uino.Tests.Modeling;

/// <summary>The scan's single-precision exp and softplus against double-precision ones.</summary>
public class SimdExpTests
{
    [Test]
    public void WithinTwoUlpOnTheScansRangeAndFlushesBelowIt()
    {
        double worst = 0;
        for (int i = 0; i <= 200_000; i++)
        {
            float x = -87f + 88f * i / 200_000f;                      // −87 … 1: Δ·A ≤ 0, plus a margin
            var v = SimdExp.Exp(Vector256.Create(x));
            double exact = Math.Exp(x), got = v.GetElement(3);
            worst = Math.Max(worst, Math.Abs(got - exact) / exact);
            Assert.That(v, Is.EqualTo(Vector256.Create((float)got)), "every lane computes the same");
        }
        Assert.That(worst, Is.LessThanOrEqualTo(2 * 1.2e-7), "relative error (2 ulp of float)");
        // Below the normal range the decay is ~1e-38 instead of 0: nothing a state could notice.
        Assert.That(SimdExp.Exp(Vector256.Create(-1000f)).GetElement(0), Is.InRange(0f, 1.2e-38f));
        Assert.That(SimdExp.Exp(Vector256.Create(0f)).GetElement(0), Is.EqualTo(1f));
    }

    [Test]
    public void SoftplusIsWithinFourUlpOfTheExactValueFromFarNegativeToPastTorchsThreshold()
    {
        double worst = 0;
        for (int i = 0; i <= 200_000; i++)
        {
            float x = -80f + 110f * i / 200_000f;                     // −80 … 30: tiny steps, the log1p range, the threshold
            // In double, log(1 + eˣ) is exact to float precision down to −15; below, its series eˣ − e²ˣ/2 is.
            double exact = x > 20f ? x : x < -15f ? Math.Exp(x) - Math.Exp(2.0 * x) / 2 : Math.Log(1 + Math.Exp(x));
            double got = SimdExp.Softplus(Vector256.Create(x)).GetElement(5);
            worst = Math.Max(worst, Math.Abs(got - exact) / exact);
        }
        Assert.That(worst, Is.LessThanOrEqualTo(4 * 1.2e-7), "relative error (4 ulp of float)");
        Assert.That(SimdExp.Softplus(Vector256.Create(25f)).GetElement(0), Is.EqualTo(25f), "above 20: x itself, as torch");
    }
}
