using NUnit.Framework;
using Uino.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

public class CenterPivotConv4dTests
{
    /// <summary>The definition, slice by slice: conv1 over (Hq,Wq) at each kept support position + conv2 over (Hs,Ws) at each query position.</summary>
    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(2, 3)]
    public void EqualsTheSliceBySliceDefinition(int sh, int sw)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var m = new CenterPivotConv4d(2, 3, [3, 3, 3, 3], [1, 1, sh, sw], [1, 1, 1, 1]);
        var p = m.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var x = randn(new long[] { 2, 2, 4, 5, 7, 6 });
        using var _ = no_grad();
        var y = m.forward(x);
        long hs2 = (7 + 2 - 3) / sh + 1, ws2 = (6 + 2 - 3) / sw + 1;
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 4, 5, hs2, ws2 }));
        var expected = zeros(new long[] { 2, 3, 4, 5, hs2, ws2 });
        for (long i = 0; i < hs2; i++)
            for (long j = 0; j < ws2; j++)
                expected[.., .., .., .., i, j] += nn.functional.conv2d(x[.., .., .., .., i * sh, j * sw], p["conv1.weight"], p["conv1.bias"], padding: [1, 1]);
        for (long i = 0; i < 4; i++)
            for (long j = 0; j < 5; j++)
                expected[.., .., i, j] += nn.functional.conv2d(x[.., .., i, j], p["conv2.weight"], p["conv2.bias"], strides: [sh, sw], padding: [1, 1]);
        TensorAssert.AllClose(y, expected, 1e-5, 1e-5, $"stride ({sh},{sw})");
    }

    [Test]
    public void WrongInputIsRejected()
    {
        using var scope = NewDisposeScope();
        var m = new CenterPivotConv4d(2, 3, [3, 3, 3, 3], [1, 1, 1, 1], [1, 1, 1, 1]);
        Assert.Throws<ArgumentException>(() => m.forward(randn(new long[] { 2, 3, 4, 4, 4, 4 })));
        Assert.Throws<ArgumentException>(() => m.forward(randn(new long[] { 2, 2, 4, 4, 4 })));
    }
}
