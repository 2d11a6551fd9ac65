using System.Diagnostics;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling.Mamba;
using Uino.Tests.Parity;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

/// <summary>Every scan implementation against the per-step oracle, values and gradients.</summary>
public class SelectiveScanTests
{
    /// <summary>Inputs shaped like Mamba/VMamba's: A negative, Δ around softplus range, B/C grouped or plain.</summary>
    public sealed record Case(long Batch, long Dim, long Len, long N, long Groups, bool WithZ, bool WithD, bool WithBias, bool Softplus)
    {
        public override string ToString() =>
            $"b{Batch} d{Dim} l{Len} n{N} g{(Groups == 0 ? "-" : Groups.ToString())}{(WithZ ? " z" : "")}{(WithD ? " D" : "")}{(WithBias ? " bias" : "")}{(Softplus ? " softplus" : "")}";
    }

    private static readonly Case[] Cases =
    [
        new(2, 8, 1, 4, 0, false, false, false, false),
        new(2, 8, 37, 4, 4, false, true, true, true),
        new(3, 12, 16, 8, 0, true, true, false, false),
        new(1, 16, 17, 16, 2, true, false, true, true),
        new(2, 6, 100, 4, 3, true, true, true, true),
        new(1, 4, 257, 8, 1, false, true, false, true),
        new(2, 8, 40, 12, 4, true, true, true, true),    // the paper's d_state: one Vector256 plus the Vector128 tail
        // Channels per group a multiple of 8: inference takes the channel-block kernel (8 channels in the lanes).
        new(2, 32, 40, 12, 4, false, true, true, true),  // the paper's d_state, VMamba's 4 direction groups
        new(1, 16, 300, 4, 2, true, true, true, true),   // the embedded model's d_state 4, a long sequence
    ];

    private static Tensor?[] MakeInputs(Case c, ScalarType dtype, long seed)
    {
        var g = new TorchSharp.torch.Generator((ulong)seed);
        Tensor R(params long[] shape) => randn(shape, dtype: dtype, generator: g);
        var u = R(c.Batch, c.Dim, c.Len);
        // Without softplus Δ must already be positive; with it, raw values around 0.
        var delta = c.Softplus ? R(c.Batch, c.Dim, c.Len) * 0.5 - 1 : rand(new[] { c.Batch, c.Dim, c.Len }, dtype: dtype, generator: g) * 1.5;
        var A = -exp(R(c.Dim, c.N) * 0.5);
        long[] bc = c.Groups == 0 ? [c.Batch, c.N, c.Len] : [c.Batch, c.Groups, c.N, c.Len];
        var B = R(bc);
        var C = R(bc);
        var D = c.WithD ? R(c.Dim) : null;
        var z = c.WithZ ? R(c.Batch, c.Dim, c.Len) : null;
        var bias = c.WithBias ? R(c.Dim) * 0.3 : null;
        return [u, delta, A, B, C, D, z, bias];
    }

    private static Tensor Run(ScanPath path, Tensor?[] x, bool softplus) =>
        SelectiveScan.Forward(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5], x[6], x[7], softplus, path);

    /// <summary>|a − e| ≤ 1e-5 · (|e| + max|e|): 1e-5 relative to the output's scale.</summary>
    private static void AssertRelClose(Tensor actual, Tensor expected, string what)
    {
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64);
        double scale = e.abs().max().item<double>();
        TensorAssert.AllClose(actual, e, 1e-5 * scale, 1e-5, what);
    }

    [TestCaseSource(nameof(Cases))]
    public void EveryPathMatchesTheFloat64Oracle(Case c)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x64 = MakeInputs(c, ScalarType.Float64, 7);
        var x32 = x64.Select(t => t?.to(ScalarType.Float32)).ToArray();
        var oracle = Run(ScanPath.Reference, x64, c.Softplus);
        AssertRelClose(Run(ScanPath.Reference, x32, c.Softplus), oracle, $"{c} reference f32");
        AssertRelClose(Run(ScanPath.Chunked, x32, c.Softplus), oracle, $"{c} chunked");
        AssertRelClose(Run(ScanPath.Fast, x32, c.Softplus), oracle, $"{c} fast");
        AssertRelClose(Run(ScanPath.Auto, x32, c.Softplus), oracle, $"{c} auto");
        foreach (int chunk in new[] { 1, 3, 8, 64 })
            AssertRelClose(SelectiveScan.Chunked(x32[0]!, x32[1]!, x32[2]!, x32[3]!, x32[4]!, x32[5], x32[6], x32[7], c.Softplus, chunk),
                           oracle, $"{c} chunked T={chunk}");
    }

    [Test]
    public void InferenceTakesTheChannelBlockKernelWhenEachBlockOfEightChannelsSharesOneGroup()
    {
        using var scope = NewDisposeScope();
        bool Blocks(long dim, long groups)
        {
            var c = new Case(1, dim, 5, 4, groups, false, false, false, false);
            var x = MakeInputs(c, ScalarType.Float32, 1);
            var kernel = ScanOperands.Prepare(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, null, null, null, SelectiveScanKernel.HalfLanes).Kernel(false);
            return kernel.CanRunBlocks;
        }
        Assert.Multiple(() =>
        {
            Assert.That(Blocks(32, 4), Is.True, "32 channels in 4 groups: 8 per group");
            Assert.That(Blocks(16, 0), Is.True, "plain B/C: one group");
            Assert.That(Blocks(8, 4), Is.False, "2 channels per group: a block would span groups");
            Assert.That(Blocks(12, 0), Is.False, "12 channels: not whole blocks");
        });
    }

    /// <summary>Gradients of every input through the chunked path (float64) and the fast kernel's own backward (float32).</summary>
    [TestCaseSource(nameof(Cases))]
    public void GradientsMatchTheOracleGradients(Case c)
    {
        using var scope = NewDisposeScope();
        var inputs = MakeInputs(c, ScalarType.Float64, 11);
        var weight = randn(new[] { c.Batch, c.Dim, c.Len }, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(5));
        Tensor?[] Grads(ScanPath path, ScalarType dtype)
        {
            var leaves = inputs.Select(t => t?.detach().to(dtype).requires_grad_(true)).ToArray();
            (Run(path, leaves, c.Softplus) * weight.to(dtype)).sum().backward();
            return leaves.Select(t => t?.grad).ToArray();
        }
        var expected = Grads(ScanPath.Reference, ScalarType.Float64);
        string[] names = ["u", "delta", "A", "B", "C", "D", "z", "delta_bias"];
        foreach (var (path, dtype, tolerance) in new[] { (ScanPath.Chunked, ScalarType.Float64, 1e-5), (ScanPath.Fast, ScalarType.Float32, 2e-4) })
        {
            var actual = Grads(path, dtype);
            for (int i = 0; i < names.Length; i++)
            {
                if (inputs[i] is null) continue;
                // With L = 1 the decay never acts, so A may legitimately be outside a path's graph (gradient 0).
                var a = actual[i] ?? zeros_like(inputs[i]!);
                var e = expected[i] ?? zeros_like(inputs[i]!);
                Assert.That(a.shape, Is.EqualTo(inputs[i]!.shape), $"{c} {path} d/d{names[i]} shape");
                double scale = e.abs().max().item<double>();
                TensorAssert.AllClose(a.to(ScalarType.Float64), e, tolerance * Math.Max(scale, 1e-3), tolerance,
                                      $"{c} {path} d/d{names[i]}");
            }
        }
    }

    [Test]
    public void AutoTakesTheFastKernelWithItsBackwardForFloat32CpuAndChunkedOtherwise()
    {
        using var scope = NewDisposeScope();
        var x = MakeInputs(new Case(1, 4, 5, 2, 0, false, true, false, false), ScalarType.Float32, 3);
        x[0]!.requires_grad_(true);
        Assert.That(SelectiveScan.CanRunFast(x), Is.True);
        var y = Run(ScanPath.Auto, x, false);
        Assert.That(y.requires_grad, Is.True, "the fast path must stay differentiable");
        y.sum().backward();
        Assert.That(x[0]!.grad, Is.Not.Null);
        var x64 = x.Select(t => t?.detach().to(ScalarType.Float64)).ToArray();
        Assert.That(SelectiveScan.CanRunFast(x64), Is.False, "float64 goes through the chunked path");
        Assert.Throws<ArgumentException>(() => Run(ScanPath.Fast, x64, false));
    }

    [Test]
    public void MismatchedShapesAreRejectedWithAClearMessage()
    {
        using var scope = NewDisposeScope();
        var x = MakeInputs(new Case(2, 6, 5, 3, 0, false, false, false, false), ScalarType.Float32, 3);
        var ex = Assert.Throws<ArgumentException>(() => SelectiveScan.Chunked(x[0]!, x[1]!, x[2]!, randn(2, 4, 3, 5), x[4]!));
        Assert.That(ex!.Message, Does.Contain("G dividing D"));
        Assert.Throws<ArgumentException>(() => SelectiveScan.Reference(x[0]!, x[1]!.narrow(2, 0, 4), x[2]!, x[3]!, x[4]!));
    }

    /// <summary>
    /// Every path against the fixture. Its plain_z case feeds raw Δ (negative values, no softplus) so
    /// exp(Δ·A) &gt; 1 and channel 12 overflows: 31 expected entries are ±inf (finite ones reach 6e36). Those
    /// must come out as the same ±inf from the oracle and the fast path (same arithmetic order); the finite
    /// ones must meet the manifest tolerance. The chunked path multiplies decays in another order, so in this
    /// growth regime (impossible in Mamba, where Δ = softplus(·) &gt; 0 and A = −exp(A_log) &lt; 0) it may
    /// overflow differently: it is checked on the entries below 1e30 only. Near float32's range (intermediate
    /// states ~1e38) it can give inf where the true value fits, or finite values where it does not: the
    /// chunked path is specified for decaying scans (Δ·A ≤ 0) only.
    /// </summary>
    [TestCase(ScanPath.Reference)]
    [TestCase(ScanPath.Chunked)]
    [TestCase(ScanPath.Fast)]
    public void EveryPathReproducesTheFixture(ScanPath path)
    {
        var dir = Path.Combine(TestPaths.FixtureRoot, "selective-scan");
        Assert.That(Directory.Exists(dir), Is.True, $"fixture folder {dir} missing");
        var fixture = FixtureManifest.Read(dir);
        var io = SafeTensors.Load(fixture.IoPath);
        using var _ = no_grad();
        foreach (var (name, value) in SelectiveScanRunner.Run(io, path))
        {
            var expected = io[name];
            if (path == ScanPath.Chunked)
            {
                var moderate = expected.abs() < 1e30;
                TensorAssert.AllClose(value.masked_select(moderate), expected.masked_select(moderate), fixture.Atol, fixture.Rtol, $"{path} {name}");
                continue;
            }
            var finite = expected.isfinite();
            Assert.That((value.isfinite() == finite).all().item<bool>(), Is.True,
                $"{path} {name}: non-finite at {(value.isfinite() != finite).sum().item<long>()} positions the reference has finite (or vice versa)");
            Assert.That((value.masked_select(finite.logical_not()) == expected.masked_select(finite.logical_not())).all().item<bool>(), Is.True,
                $"{path} {name}: overflowed entries differ in sign");
            TensorAssert.AllClose(value.masked_select(finite), expected.masked_select(finite), fixture.Atol, fixture.Rtol, $"{path} {name}");
        }
    }
}
