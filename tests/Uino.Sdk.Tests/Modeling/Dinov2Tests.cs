using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling.Dinov2;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

/// <summary>DINOv2 backbone behaviour beyond the fixture parity: validation, registers, attention, early stop, key layout.</summary>
public class Dinov2Tests
{
    // img 70 / patch 14 → a 5×5 pos_embed table: every other input size interpolates.
    private static Dinov2Config Tiny(int registers = 0) =>
        new("tiny", EmbedDim: 32, Depth: 4, NumHeads: 2, ImgSize: 70, NumRegisterTokens: registers);

    [TestCase(30, 28)]
    [TestCase(28, 30)]
    [TestCase(13, 13)]
    public void InputNotMultipleOfPatchSizeThrows(int height, int width)
    {
        using var model = new DinoVisionTransformer(Tiny());
        using var images = randn(1, 3, height, width);
        using var _ = no_grad();
        var ex = Assert.Throws<ArgumentException>(() => model.GetIntermediateLayers(images, [0]));
        Assert.That(ex!.Message, Does.Contain("multiples of the patch size 14"));
        Assert.Throws<ArgumentException>(() => model.ForwardFeatures(images).Dispose());
    }

    [Test]
    public void BadBlockIndexAndChannelCountThrow()
    {
        using var model = new DinoVisionTransformer(Tiny());
        using var images = randn(1, 3, 28, 28);
        using var gray = randn(1, 1, 28, 28);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetIntermediateLayers(images, [4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetIntermediateLayers(images, [-1]));
        Assert.Throws<ArgumentException>(() => model.GetIntermediateLayers(gray, [0]));
    }

    [Test]
    public void RegisterTokensChangePatchTokensAndKeepShapes()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var plain = new DinoVisionTransformer(Tiny());
        using var withRegs = new DinoVisionTransformer(Tiny(registers: 4));
        // Same weights everywhere except register_tokens, which the plain model lacks.
        StateDict.Load(withRegs, plain.state_dict(), "plain model", strict: false);
        using (no_grad()) withRegs.register_tokens!.copy_(randn(1, 4, 32));
        Assert.That(withRegs.state_dict().Keys.Except(plain.state_dict().Keys), Is.EqualTo(new[] { "register_tokens" }));

        var images = randn(2, 3, 42, 56);
        using var _ = no_grad();
        using var a = plain.ForwardFeatures(images, [1]);
        using var b = withRegs.ForwardFeatures(images, [1]);
        Assert.That(b.PatchTokens.shape, Is.EqualTo(new long[] { 2, 32, 3, 4 }));
        Assert.That(b.Blocks[0].shape, Is.EqualTo(new long[] { 2, 32, 3, 4 }));
        Assert.That(b.ClsToken.shape, Is.EqualTo(new long[] { 2, 32 }));
        Assert.That(b.RegisterTokens.shape, Is.EqualTo(new long[] { 2, 4, 32 }));
        Assert.That(a.RegisterTokens.shape, Is.EqualTo(new long[] { 2, 0, 32 }));
        Assert.That(a.PatchTokens.shape, Is.EqualTo(b.PatchTokens.shape));
        Assert.That(b.PatchTokens.isfinite().all().item<bool>(), Is.True);
        Assert.That((a.PatchTokens - b.PatchTokens).abs().max().item<float>(), Is.GreaterThan(1e-3f),
            "registers take part in attention, so the patch tokens must change");
    }

    [Test]
    public void SdpaAttentionMatchesExplicitSoftmax()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var attn = new Attention(dim: 16, numHeads: 4, qkvBias: true, projBias: true);
        using (no_grad())
            foreach (var p in attn.parameters()) p.copy_(randn(p.shape) * 0.5);
        var x = randn(2, 5, 16);
        using var _ = no_grad();
        var actual = attn.call(x);

        var qkv = nn.functional.linear(x, attn.qkv.weight!, attn.qkv.bias).reshape(2, 5, 3, 4, 4);
        var q = qkv.select(2, 0).transpose(1, 2);
        var k = qkv.select(2, 1).transpose(1, 2);
        var v = qkv.select(2, 2).transpose(1, 2);
        var weights = (q.matmul(k.transpose(-2, -1)) / Math.Sqrt(4)).softmax(-1);
        var expected = nn.functional.linear(weights.matmul(v).transpose(1, 2).reshape(2, 5, 16), attn.proj.weight!, attn.proj.bias);
        TensorAssert.AllClose(actual, expected, 1e-5, 0, "SDPA vs explicit attention");
    }

    [Test]
    public void IntermediateLayersMatchFullRunAndStopEarly()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new DinoVisionTransformer(Tiny());
        var images = randn(1, 3, 56, 42);
        using var _ = no_grad();
        using var full = model.ForwardFeatures(images, [0, 1, 2, 3]);

        var calls = new int[model.NumBlocks];
        for (var i = 0; i < model.NumBlocks; i++)
        {
            var index = i;
            model.blocks[i].register_forward_pre_hook(_ => calls[index]++);
        }
        var partial = model.GetIntermediateLayers(images, [0, 1]);
        Assert.That(calls, Is.EqualTo(new[] { 1, 1, 0, 0 }), "blocks after the last requested one must not run");
        Assert.That(partial, Has.Count.EqualTo(2));
        for (var i = 0; i < 2; i++)
        {
            Assert.That(partial[i].shape, Is.EqualTo(new long[] { 1, 32, 4, 3 }));
            TensorAssert.AllClose(partial[i], full.Blocks[i], 0, 0, $"block {i}");
        }
        // Request order is kept, whatever the block order.
        var reversed = model.GetIntermediateLayers(images, [2, 0]);
        TensorAssert.AllClose(reversed[0], full.Blocks[2], 0, 0, "block 2");
        TensorAssert.AllClose(reversed[1], full.Blocks[0], 0, 0, "block 0");
    }

    [Test]
    public void InitialWeightsFollowTheOfficialTruncatedNormal()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new DinoVisionTransformer(Tiny());
        var w = model.blocks[0].mlp.fc1.weight!; // 128×32 = 4096 draws
        Assert.That(w.std().item<float>(), Is.EqualTo(0.02f).Within(0.002f));
        Assert.That(w.mean().item<float>(), Is.EqualTo(0f).Within(0.002f));
        Assert.That(model.blocks[0].mlp.fc1.bias!.abs().max().item<float>(), Is.Zero);
        var big = TruncNormal.Fill(empty(100_000, dtype: ScalarType.Float64), mean: 1.0, std: 2.0, a: -1.0, b: 5.0);
        Assert.That(big.min().item<double>(), Is.GreaterThanOrEqualTo(-1.0));
        Assert.That(big.max().item<double>(), Is.LessThanOrEqualTo(5.0));
        // N(1, 2²) truncated to [−1σ, +2σ]: mean 1 + 2·(φ(−1) − φ(2))/(Φ(2) − Φ(−1)) ≈ 1.4593.
        Assert.That(big.mean().item<double>(), Is.EqualTo(1.4593).Within(0.02));
    }

    [TestCase("vits14", "dinov2_vits14")]
    [TestCase("vitb14", "dinov2_vitb14")]
    [TestCase("vitl14", "dinov2_vitl14")]
    public void StateDictMatchesOfficialCheckpointKeys(string preset, string official)
    {
        var path = Path.Combine(TestPaths.FixtureRoot, "official-checkpoint-keys.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var expected = doc.RootElement.GetProperty(official).EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Join("x", p.Value.EnumerateArray().Select(d => d.GetInt64())));

        foreach (var config in new[] { Dinov2Config.FromName(preset), Dinov2Config.FromName(preset + "_reg4") })
        {
            // meta: the layout without allocating or initialising ~300M parameters (ViT-L).
            using var model = new DinoVisionTransformer(config, META);
            var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => string.Join("x", kv.Value.shape));
            var want = new Dictionary<string, string>(expected);
            // The _reg4 checkpoints are the same layout plus register_tokens (dinov2/models/vision_transformer.py).
            if (config.NumRegisterTokens > 0) want["register_tokens"] = $"1x4x{config.EmbedDim}";
            Assert.That(actual.Keys.Except(want.Keys), Is.Empty, $"{config.Name}: keys the checkpoint lacks");
            Assert.That(want.Keys.Except(actual.Keys), Is.Empty, $"{config.Name}: checkpoint keys the model lacks");
            foreach (var (key, shape) in want)
                Assert.That(actual[key], Is.EqualTo(shape), $"{config.Name}: shape of {key}");
        }
    }

    [Test]
    public void PresetsFollowTheHubDefinitions()
    {
        var b = Dinov2Config.FromName("dinov2_vitb14");
        Assert.That((b.EmbedDim, b.Depth, b.NumHeads, b.ImgSize, b.PatchSize), Is.EqualTo((768, 12, 12, 518, 14)));
        Assert.That((b.NumRegisterTokens, b.InterpolateAntialias, b.InterpolateOffset, b.InitValues), Is.EqualTo((0, false, 0.1, (double?)1.0)));
        Assert.That(b.CheckpointFileName, Is.EqualTo("dinov2_vitb14_pretrain.pth"));
        var r = Dinov2Config.FromName("dinov2_vitb14_reg");
        Assert.That((r.NumRegisterTokens, r.InterpolateAntialias, r.InterpolateOffset), Is.EqualTo((4, true, 0.0)));
        Assert.That(r.CheckpointFileName, Is.EqualTo("dinov2_vitb14_reg4_pretrain.pth"));
        Assert.That(Dinov2Config.FromName("DINOV2_VITL14_REG4_PRETRAIN.PTH"), Is.EqualTo(Dinov2Config.Vitl14Reg4));
        Assert.That((Dinov2Config.Vits14.EmbedDim, Dinov2Config.Vitl14.Depth, Dinov2Config.Vitl14.NumHeads), Is.EqualTo((384, 24, 16)));
        Assert.Throws<ArgumentException>(() => Dinov2Config.FromName("vitx14"));
    }

    [Test]
    [Category("Slow")]
    public void VitB14At518RunsAndReportsTime()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new DinoVisionTransformer(Dinov2Config.Vitb14);
        model.eval();
        var images = randn(1, 3, 518, 518);
        using var _ = no_grad();
        var times = new List<double>();
        for (var run = 0; run < 2; run++)
        {
            var sw = Stopwatch.StartNew();
            using var f = model.ForwardFeatures(images, [3, 7]);
            sw.Stop();
            times.Add(sw.Elapsed.TotalMilliseconds);
            foreach (var t in new[] { f.PatchTokens, f.Blocks[0], f.Blocks[1] })
            {
                Assert.That(t.shape, Is.EqualTo(new long[] { 1, 768, 37, 37 }));
                Assert.That(t.isfinite().all().item<bool>(), Is.True);
            }
            Assert.That(f.ClsToken.shape, Is.EqualTo(new long[] { 1, 768 }));
        }
        // The host is shared: a matmul of one ViT-B MLP layer's size says what throughput the run actually had.
        var m1 = randn(1370, 768);
        var m2 = randn(768, 3072);
        m1.matmul(m2).Dispose();
        var mm = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++) m1.matmul(m2).Dispose();
        var gflops = 5 * 2.0 * 1370 * 768 * 3072 / mm.Elapsed.TotalSeconds / 1e9;
        TestContext.Out.WriteLine($"DINOv2 ViT-B/14 518×518 forward (batch 1, {get_num_threads()} threads): " +
                                  $"cold {times[0]:F0} ms, warm {times[1]:F0} ms; ~{304 / times[1] * 1000:F0} GFLOP/s model, " +
                                  $"{gflops:F0} GFLOP/s plain matmul at the time");
    }
}
