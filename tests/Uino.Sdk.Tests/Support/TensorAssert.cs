using NUnit.Framework;
using static TorchSharp.torch;

namespace Uino.Tests.Support;

/// <summary>Tensor comparisons with messages that say where and by how much two tensors differ.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere (numpy.allclose).</summary>
    public static void AllClose(Tensor actual, Tensor expected, double atol, double rtol, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        using var scope = NewDisposeScope();
        var a = actual.detach().cpu().to(ScalarType.Float64);
        var e = expected.detach().cpu().to(ScalarType.Float64);
        Assert.That(a.isfinite().all().item<bool>(), Is.True, $"{what}: non-finite values");
        var diff = (a - e).abs();
        var excess = diff - (atol + rtol * e.abs());
        var worst = excess.argmax().item<long>();
        var flatDiff = diff.flatten();
        double maxExcess = excess.flatten()[worst].item<double>();
        Assert.That(maxExcess, Is.LessThanOrEqualTo(0),
            $"{what}: max |diff| {diff.max().item<double>():E3} (atol {atol}, rtol {rtol}); worst at flat index {worst}: " +
            $"actual {a.flatten()[worst].item<double>():G7}, expected {e.flatten()[worst].item<double>():G7}, diff {flatDiff[worst].item<double>():E3}");
    }
}
