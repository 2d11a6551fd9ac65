using System.Text.Json;
using NUnit.Framework;
using Uino.Modeling.Sam;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

/// <summary>SAM modules: official checkpoint layout, UINO's 37×37 decoder use, and input validation.</summary>
public class SamTests
{
    private static readonly SamDecoderConfig Decoder37 = SamDecoderConfig.ForEmbedding(37, 518);

    [NonParallelizable] // switches the process-wide default device to meta for the build
    [TestCase("sam_vit_b")]
    [TestCase("sam_vit_l")]
    [TestCase("sam_vit_h")]
    public void FullModelStateDictEqualsOfficialCheckpointKeys(string preset)
    {
        var path = Path.Combine(TestPaths.FixtureRoot, "official-checkpoint-keys.json");
        Assert.That(File.Exists(path), Is.True, $"Missing {path}.");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var expected = doc.RootElement.GetProperty(preset).EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Join("×", p.Value.EnumerateArray().Select(e => e.GetInt64())));

        // Built on the meta device: the same modules, keys and shapes without allocating (ViT-H is 2.5 GB) or
        // random-initialising 640 M parameters on a shared CPU.
        Dictionary<string, string> actual;
        set_default_device(META);
        try
        {
            using var model = SamModel.Create(SamConfig.Preset(preset));
            Assert.That(model.parameters().All(p => p.is_meta), Is.True);
            actual = model.state_dict().ToDictionary(kv => kv.Key, kv => string.Join("×", kv.Value.shape));
        }
        finally
        {
            set_default_device(CPU);
        }

        Assert.Multiple(() =>
        {
            Assert.That(actual.Keys.Except(expected.Keys).Order(), Is.Empty, "keys the official checkpoint lacks");
            Assert.That(expected.Keys.Except(actual.Keys).Order(), Is.Empty, "official keys the model lacks");
            var mismatched = expected.Where(kv => actual.TryGetValue(kv.Key, out var s) && s != kv.Value)
                                     .Select(kv => $"{kv.Key}: official {kv.Value}, ours {actual[kv.Key]}");
            Assert.That(mismatched, Is.Empty, "shape mismatches");
            Assert.That(actual, Has.Count.EqualTo(expected.Count));
        });
    }

    [Test]
    public void DecoderAt37GivesFiniteMasksUpscaled4x()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(1);
        using var model = SamModel.CreateDecoderOnly(Decoder37);
        model.eval();
        var image = randn(1, 256, 37, 37);
        var tokens = randn(1, 2, 256); // UINO's own sparse tokens
        var (_, dense) = model.PromptEncoder.Forward(null, null, randn(1, 1, 148, 148));

        var (masks, iou) = model.Decode(image, tokens, dense, multimaskOutput: true);
        Assert.That(masks.shape, Is.EqualTo(new long[] { 1, 3, 148, 148 }));
        Assert.That(iou.shape, Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(masks.isfinite().all().item<bool>() && iou.isfinite().all().item<bool>(), Is.True);
        Assert.That(masks.std().item<float>(), Is.GreaterThan(0f), "masks are constant");

        var (single, singleIou) = model.Decode(image, tokens, dense, multimaskOutput: false);
        Assert.That(single.shape, Is.EqualTo(new long[] { 1, 1, 148, 148 }));
        Assert.That(singleIou.shape, Is.EqualTo(new long[] { 1, 1 }));

        // Points alone: 3 points + the padding point → 4 tokens, dense = no_mask_embed everywhere.
        var (sparse, noMask) = model.PromptEncoder.Forward((rand(1, 3, 2) * 518, tensor(new long[] { 1, 0, -1 }).view(1, 3)), null, null);
        Assert.That(sparse.shape, Is.EqualTo(new long[] { 1, 4, 256 }));
        Assert.That(noMask.shape, Is.EqualTo(new long[] { 1, 256, 37, 37 }));
    }

    [Test]
    public void PromptBatchSharesOneImageAndPerImageBatchMatchesSeparateRuns()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(2);
        using var model = SamModel.CreateDecoderOnly(Decoder37);
        model.eval();
        var images = randn(2, 256, 37, 37);
        var tokens = randn(2, 3, 256);
        var dense = randn(2, 256, 37, 37);

        // One image, two prompt sets: the official repeat_interleave semantics.
        var (shared, _) = model.Decode(images[0..1], tokens, dense, multimaskOutput: false);
        var (first, _) = model.Decode(images[0..1], tokens[0..1], dense[0..1], multimaskOutput: false);
        Assert.That(shared.shape, Is.EqualTo(new long[] { 2, 1, 148, 148 }));
        TensorAssert.AllClose(shared[0..1], first, 1e-5, 1e-5, "shared image, prompt 0");

        // Two images, one prompt set each: equals decoding each image alone.
        var (batched, batchedIou) = model.Decode(images, tokens, dense, multimaskOutput: true);
        var (second, secondIou) = model.Decode(images[1..2], tokens[1..2], dense[1..2], multimaskOutput: true);
        TensorAssert.AllClose(batched[1..2], second, 1e-5, 1e-5, "image 1 masks");
        TensorAssert.AllClose(batchedIou[1..2], secondIou, 1e-5, 1e-5, "image 1 iou");
        var (otherPrompt, _) = model.Decode(images[1..2], tokens[0..1], dense[0..1], multimaskOutput: true);
        Assert.That(batched[1..2].allclose(otherPrompt, 1e-3, 1e-3), Is.False, "prompts must matter");
    }

    [Test]
    public void BadShapesThrowArgumentExceptionsWithClearMessages()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = SamModel.CreateDecoderOnly(Decoder37);
        var tokens = zeros(1, 1, 256);
        var dense = zeros(1, 256, 37, 37);

        var ex = Assert.Throws<ArgumentException>(() => model.Decode(zeros(1, 128, 37, 37), tokens, dense, false));
        Assert.That(ex!.Message, Does.Contain("256").And.Contain("128"));
        ex = Assert.Throws<ArgumentException>(() => model.MaskDecoder.Forward(zeros(1, 128, 37, 37), zeros(1, 256, 37, 37), tokens, dense, false));
        Assert.That(ex!.Message, Does.Contain("256"));
        ex = Assert.Throws<ArgumentException>(() => model.PromptEncoder.Forward(null, null, zeros(1, 1, 100, 100)));
        Assert.That(ex!.Message, Does.Contain("148").And.Contain("100"));
        ex = Assert.Throws<ArgumentException>(() => model.Decode(zeros(1, 256, 37, 37), zeros(1, 1, 64), dense, false));
        Assert.That(ex!.Message, Does.Contain("Sparse"));
        ex = Assert.Throws<ArgumentException>(() => model.Decode(zeros(1, 256, 37, 37), tokens, zeros(1, 256, 36, 36), false));
        Assert.That(ex!.Message, Does.Contain("Dense"));
        ex = Assert.Throws<ArgumentException>(() => model.Decode(zeros(3, 256, 37, 37), zeros(2, 1, 256), zeros(2, 256, 37, 37), false));
        Assert.That(ex!.Message, Does.Contain("batch"));
        Assert.Throws<ArgumentException>(() => model.PromptEncoder.Forward((zeros(1, 2, 3), zeros(1, 2, ScalarType.Int64)), null, null));

        using var encoder = new ImageEncoderViT(new SamEncoderConfig { ImgSize = 64, EmbedDim = 32, Depth = 2, NumHeads = 2, OutChans = 16, WindowSize = 3, GlobalAttnIndexes = [1] });
        ex = Assert.Throws<ArgumentException>(() => encoder.forward(zeros(1, 3, 48, 48)));
        Assert.That(ex!.Message, Does.Contain("64×64"));
        Assert.That(encoder.forward(zeros(1, 3, 64, 64)).shape, Is.EqualTo(new long[] { 1, 16, 4, 4 }));
    }

    [Test]
    public void GetRelPosInterpolatesLinearlyLikeTheOfficialCode()
    {
        using var scope = NewDisposeScope();
        // A table for size 2 (3 rows) used at size 3 (5 rows): F.interpolate(linear, align_corners=False) gives
        // [0, 4, 10, 16, 20]; offsets q − k + 2 then pick rows.
        var table = tensor(new float[] { 0, 10, 20 }).view(3, 1);
        var r = RelPosAttention.GetRelPos(3, 3, table).squeeze(-1);
        var expected = tensor(new float[] { 10, 4, 0, 16, 10, 4, 20, 16, 10 }).view(3, 3);
        TensorAssert.AllClose(r, expected, 1e-5, 0, "get_rel_pos");
        // Matching length: a plain gather, no interpolation.
        var exact = RelPosAttention.GetRelPos(2, 2, table).squeeze(-1);
        TensorAssert.AllClose(exact, tensor(new float[] { 10, 0, 20, 10 }).view(2, 2), 0, 0, "get_rel_pos exact");
    }

    [Test]
    public void PresetsFollowBuildSam()
    {
        Assert.Multiple(() =>
        {
            Assert.That((SamConfig.VitB.Encoder.EmbedDim, SamConfig.VitB.Encoder.Depth, SamConfig.VitB.Encoder.NumHeads), Is.EqualTo((768, 12, 12)));
            Assert.That((SamConfig.VitL.Encoder.EmbedDim, SamConfig.VitL.Encoder.Depth, SamConfig.VitL.Encoder.NumHeads), Is.EqualTo((1024, 24, 16)));
            Assert.That((SamConfig.VitH.Encoder.EmbedDim, SamConfig.VitH.Encoder.Depth, SamConfig.VitH.Encoder.NumHeads), Is.EqualTo((1280, 32, 16)));
            Assert.That(SamConfig.VitH.Encoder.GlobalAttnIndexes, Is.EqualTo(new[] { 7, 15, 23, 31 }));
            Assert.That(SamConfig.VitL.Encoder.GlobalAttnIndexes, Is.EqualTo(new[] { 5, 11, 17, 23 }));
            Assert.That(SamConfig.VitB.Decoder.ImageEmbeddingSize, Is.EqualTo(64));
            Assert.Throws<ArgumentException>(() => SamConfig.Preset("sam_vit_x"));
        });
    }
}
