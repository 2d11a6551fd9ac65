using NUnit.Framework;
using static TorchSharp.torch;

namespace Uino.Tests.Support;

/// <summary>Tensor comparisons with messages that say where and by how much two tensors differ.</summary>
internal static class TensorAssert
{
    /// <summary>
    /// Asserts equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere, with numpy.allclose's
    /// rule for infinities: an infinity matches only the same infinity (a reference that overflows must be
    /// reproduced, not hidden); NaN never matches.
    /// </summary>
    public static void AllClose(Tensor actual, Tensor expected, double atol, double rtol, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        using var scope = NewDisposeScope();
        var a = actual.detach().cpu().to(ScalarType.Float64);
        var e = expected.detach().cpu().to(ScalarType.Float64);
        Assert.That(a.isnan().any().item<bool>(), Is.False, $"{what}: NaN in the result");
        var sameInfinity = a.isinf() & a.eq(e);
        Assert.That((a.isinf() & ~sameInfinity).any().item<bool>(), Is.False, $"{what}: an infinity where the reference has none (or the other sign)");
        Assert.That((e.isinf() & ~sameInfinity).any().item<bool>(), Is.False, $"{what}: the reference has an infinity the result lacks");
        var finite = ~sameInfinity;
        var diff = where(finite, (a - e).abs(), zeros_like(a));
        var excess = where(finite, diff - (atol + rtol * e.abs()), full_like(a, -1.0));
        var worst = excess.argmax().item<long>();
        var flatDiff = diff.flatten();
        double maxExcess = excess.flatten()[worst].item<double>();
        Assert.That(maxExcess, Is.LessThanOrEqualTo(0),
            $"{what}: max |diff| {diff.max().item<double>():E3} (atol {atol}, rtol {rtol}); worst at flat index {worst}: " +
            $"actual {a.flatten()[worst].item<double>():G7}, expected {e.flatten()[worst].item<double>():G7}, diff {flatDiff[worst].item<double>():E3}");
    }
}
