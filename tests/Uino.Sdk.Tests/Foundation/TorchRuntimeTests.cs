using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Tests.Foundation;

/// <summary>TorchSharp's native library loads on this host (the GLIBCXX build step) and computes.</summary>
public class TorchRuntimeTests
{
    [Test]
    public void MatmulComputesKnownValues()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = matmul(a, b);
        Assert.That(c.data<float>().ToArray(), Is.EqualTo(new float[] { 19, 22, 43, 50 }));
    }

    [Test]
    public void ConvolutionAndSoftmaxRun()
    {
        using var scope = NewDisposeScope();
        var x = ones(1, 1, 3, 3);
        var w = ones(1, 1, 3, 3);
        var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 });
        Assert.That(y[0, 0, 1, 1].item<float>(), Is.EqualTo(9f));
        Assert.That(y[0, 0, 0, 0].item<float>(), Is.EqualTo(4f));
        var s = nn.functional.softmax(tensor(new float[] { 0, 0 }), 0);
        Assert.That(s[0].item<float>(), Is.EqualTo(0.5f).Within(1e-6));
    }
}
