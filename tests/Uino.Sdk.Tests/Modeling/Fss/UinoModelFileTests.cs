using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>The Uino model file: configuration + state dict round trip, segmenter-only files, clear refusals.</summary>
public class UinoModelFileTests
{
    private string dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "uino-modelfile-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(dir, recursive: true);

    [TestCase(UinoVariant.Full)]
    [TestCase(UinoVariant.CompStar)]
    public void RoundTripRestoresConfigAndEveryTensor(UinoVariant variant)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = new UinoFss(TinyUino.Config(variant, 224));
        var path = Path.Combine(dir, "m.safetensors");
        UinoModelFile.Save(path, model, includeEncoder: true);
        Assert.That(UinoModelFile.ReadConfig(path), Is.EqualTo(model.Config).Using<UinoFssConfig>((a, b) =>
            System.Text.Json.JsonSerializer.Serialize(a, UinoModelFile.Json) == System.Text.Json.JsonSerializer.Serialize(b, UinoModelFile.Json)));
        using var loaded = UinoModelFile.Load(path);
        var expected = model.state_dict();
        var actual = loaded.state_dict();
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (k, v) in expected) Assert.That(actual[k].equal(v).all().item<bool>(), Is.True, k);
    }

    [Test]
    public void SegmenterOnlyFileNeedsTheEncoderCheckpointAndLoadsWithIt()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var model = new UinoFss(TinyUino.Config(UinoVariant.Full, 224));
        var segmenter = Path.Combine(dir, "segmenter.safetensors");
        var encoder = Path.Combine(dir, "dinov2.safetensors");
        UinoModelFile.Save(segmenter, model, includeEncoder: false);
        SafeTensors.Save(encoder, model.Encoder.state_dict());
        Assert.That(SafeTensors.ReadHeader(segmenter).Entries.Any(e => e.Name.StartsWith("encoder.")), Is.False);
        var ex = Assert.Throws<CheckpointException>(() => UinoModelFile.Load(segmenter));
        Assert.That(ex!.Message, Does.Contain("DINOv2 checkpoint"));
        using var loaded = UinoModelFile.Load(segmenter, encoderCheckpoint: encoder);
        Assert.That(loaded.Vit.pos_embed.equal(model.Vit.pos_embed).all().item<bool>(), Is.True);
    }

    /// <summary>
    /// The config JSON is source-generated (AOT-safe); the format must stay exactly what existing files hold: the
    /// stored default model's config reads and writes back byte for byte.
    /// </summary>
    [Test]
    public void StoredDefaultModelConfigWritesBackByteForByte()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "sdk", "models", "uino-default.safetensors");
        var stored = SafeTensors.ReadHeader(path).Metadata[UinoModelFile.ConfigKey];
        var config = UinoModelFile.ReadConfig(path);
        Assert.That(config.Variant, Is.EqualTo(UinoVariant.Full));
        Assert.That(System.Text.Json.JsonSerializer.Serialize(config, UinoModelFile.Json), Is.EqualTo(stored));
    }

    [TestCase(UinoVariant.Full, "full")]
    [TestCase(UinoVariant.Comp, "comp")]
    [TestCase(UinoVariant.CompStar, "comp-star")]
    [TestCase(UinoVariant.Cp4d, "cp4d")]
    public void VariantIsStoredByItsKebabCaseName(UinoVariant variant, string name)
    {
        using var scope = NewDisposeScope();
        using var model = new UinoFss(TinyUino.Config(variant, 224));
        var path = Path.Combine(dir, "m.safetensors");
        UinoModelFile.Save(path, model, includeEncoder: true);
        var json = SafeTensors.ReadHeader(path).Metadata[UinoModelFile.ConfigKey];
        Assert.That(json, Does.Contain($"\"Variant\":\"{name}\""));
        Assert.That(json, Does.Not.Contain("\"Grid\""), "read-only properties are not stored");
        Assert.That(UinoModelFile.ReadConfig(path).Variant, Is.EqualTo(variant));
    }

    [Test]
    public void PlainSafetensorsIsNotAUinoModel()
    {
        var path = Path.Combine(dir, "plain.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = ones(2) });
        var ex = Assert.Throws<CheckpointException>(() => UinoModelFile.Load(path));
        Assert.That(ex!.Message, Does.Contain("not a Uino model"));
    }
}
