using NUnit.Framework;
using Uino.Modeling.Mamba;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

public class Ss2dTests
{
    [Test]
    public void FreshModuleIsInitialisedTheV0Way()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var m = new Ss2d(dModel: 40, dState: 6, ssmRatio: 1.5);
        var p = m.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        Assert.That(m.DtRank, Is.EqualTo(3), "auto dt_rank = ceil(40/16)");
        Assert.That(m.DInner, Is.EqualTo(60));
        Assert.That(p.Keys, Is.EquivalentTo(new[] { "in_proj.weight", "conv2d.weight", "conv2d.bias", "x_proj_weight", "dt_projs_weight",
                                                     "dt_projs_bias", "A_logs", "Ds", "out_norm.weight", "out_norm.bias", "out_proj.weight" }));
        Assert.That(p["x_proj_weight"].shape, Is.EqualTo(new long[] { 4, 3 + 12, 60 }));
        Assert.That(p["A_logs"].shape, Is.EqualTo(new long[] { 240, 6 }));
        TensorAssert.AllClose(p["A_logs"].exp(), arange(1, 7, dtype: ScalarType.Float32).expand(240, 6), 1e-5, 1e-6, "A = 1..N");
        TensorAssert.AllClose(p["Ds"], ones(240), 0, 0, "D = 1");
        var dt = nn.functional.softplus(p["dt_projs_bias"]);
        Assert.That(dt.min().item<float>(), Is.GreaterThanOrEqualTo(0.001f * 0.999f));
        Assert.That(dt.max().item<float>(), Is.LessThanOrEqualTo(0.1f * 1.001f));
        Assert.That(p["dt_projs_weight"].abs().max().item<float>(), Is.LessThanOrEqualTo(1 / MathF.Sqrt(3)));
        Assert.That(p["x_proj_weight"].abs().max().item<float>(), Is.LessThanOrEqualTo(1 / MathF.Sqrt(60)));
    }

    [Test]
    public void EveryScanPathGivesTheSameOutput()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var m = new Ss2d(16, 4, 2.0);
        var x = randn(3, 5, 7, 16);
        using var _ = no_grad();
        m.ScanPath = ScanPath.Reference;
        var expected = m.forward(x);
        foreach (var path in new[] { ScanPath.Chunked, ScanPath.Fast, ScanPath.Auto })
        {
            m.ScanPath = path;
            TensorAssert.AllClose(m.forward(x), expected, 1e-5, 1e-5, path.ToString());
        }
    }

    [Test]
    public void TrainingGradientsThroughTheChunkedScanMatchTheReference()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var m = new Ss2d(8, 4, 2.0);
        var x = randn(2, 4, 6, 8);
        var target = randn(2, 4, 6, 8);
        Dictionary<string, Tensor> Grads(ScanPath path)
        {
            m.zero_grad();
            m.ScanPath = path;
            var loss = (m.forward(x) - target).pow(2).mean();
            loss.backward();
            return m.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.grad!.clone());
        }
        var expected = Grads(ScanPath.Reference);
        // Auto with gradients = the fast kernel's own backward (float32 CPU); chunked is the device-agnostic path.
        foreach (var path in new[] { ScanPath.Auto, ScanPath.Chunked })
        {
            var actual = Grads(path);
            foreach (var (name, g) in expected)
            {
                Assert.That(g.abs().sum().item<float>(), Is.GreaterThan(0f), $"{name} gets no gradient");
                TensorAssert.AllClose(actual[name], g, 1e-6 + 1e-5 * g.abs().max().item<float>(), 1e-4, $"{path} {name}");
            }
        }
    }

    [Test]
    public void WrongLayoutIsRejected()
    {
        using var scope = NewDisposeScope();
        var m = new Ss2d(16, 4);
        var ex = Assert.Throws<ArgumentException>(() => m.forward(randn(2, 16, 5, 6)));
        Assert.That(ex!.Message, Does.Contain("channels last"));
    }
}
