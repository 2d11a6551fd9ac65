using System.Runtime.Intrinsics;
using NUnit.Framework;
using Uino.Modeling.Mamba;

namespace Uino.Tests.Modeling;

/// <summary>The scan's single-precision exp against the double-precision one.</summary>
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
}
