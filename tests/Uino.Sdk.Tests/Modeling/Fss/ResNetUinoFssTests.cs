using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using Uino.Modeling.Fss.Encoders;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>UINO-FSS over a ResNet encoder: grids, taps, freezing, the model file, and the package's weights.</summary>
public class ResNetUinoFssTests
{
    private string dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "uino-resnet-fss-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(dir, recursive: true);

    /// <summary>A narrow random ResNet (blocks [1,1,2,2]) under small segmenter widths: the real model's code paths.</summary>
    private static UinoFssConfig Tiny(UinoVariant variant = UinoVariant.Full, int inputSize = 128) =>
        UinoFssPresets.ResNet18(variant, inputSize) with
        {
            ResNet = new ResNetEncoderConfig { Name = "test-resnet", Blocks = [1, 1, 2, 2], Channels = [8, 16, 24, 32] },
            CorrelationLayers = 4,
            AdapterBottleneck = 16, AdapterInner = 16, AdapterFfn = 32, AdapterHeads = 2,
            SvpHidden = 8, SvpPrototype = 8, HeadWidth = 8,
            Decoder = UinoFssPresets.ResNet18(variant, inputSize).Decoder with { EmbedDim = 32, MlpDim = 32, NumHeads = 2, IouHeadHiddenDim = 16 },
        };

    [TestCase(UinoVariant.Full, 128)]
    [TestCase(UinoVariant.Comp, 128)]
    [TestCase(UinoVariant.Full, 96)]
    public void ForwardRunsOnTheStride16GridWithAStride8Embedding(UinoVariant variant, int size)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = new UinoFss(Tiny(variant, size));
        model.eval();
        var (support, masks, query) = TinyUino.Episode(size, shots: 2);
        using var mode = inference_mode();
        using var encoded = model.EncodeImages(query, withLow: true);
        Assert.That(encoded.Low!.shape, Is.EqualTo(new long[] { 1, 16, size / 8, size / 8 }), "the adapter reads stage 2");
        Assert.That(encoded.Layers.Select(l => l.shape[1]), Is.EqualTo(new long[] { 24, 24, 32, 32 }), "the last 4 blocks of stages 3-4");
        Assert.That(encoded.Layers.All(l => l.shape[2] == size / 16 && l.shape[3] == size / 16), Is.True, "stage 4 is brought onto the stage-3 grid");
        using var output = model.Forward(support, masks, query);
        Assert.That(output.MaskLogits.shape, Is.EqualTo(new long[] { 1, 1, size, size }));
        Assert.That(output.LowResLogits.shape, Is.EqualTo(new long[] { 1, 1, size / 2, size / 2 }), "masks at stride 2");
        Assert.That(output.MaskLogits.isfinite().all().item<bool>(), Is.True);
        Assert.That(output.PriorLogits is null, Is.EqualTo(variant == UinoVariant.Comp));
    }

    [Test]
    public void Stage2TrainsTheAdapterButNeverTheEncoder_AndBatchNormStaysInInferenceForm()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new UinoFss(Tiny());
        model.FreezeForStage2();
        model.train();
        var (support, masks, query) = TinyUino.Episode(128, batch: 2);
        using var a = model.Forward(support, masks, query);
        a.MaskLogits.sigmoid().mean().backward();
        Assert.That(model.Encoder.parameters().All(p => !p.requires_grad && p.grad is null), Is.True, "the encoder is frozen");
        Assert.That(model.Adapter.parameters().Any(p => p.grad is not null && p.grad.abs().sum().item<float>() > 0), Is.True,
                    "no stage 1 exists for a ResNet model: its adapter trains in stage 2");
        // Training mode must not switch the encoder's BatchNorm to batch statistics: same output in train and eval.
        using var mode = inference_mode();
        using var inTrain = model.EncodeImages(query, withLow: false);
        model.eval();
        using var inEval = model.EncodeImages(query, withLow: false);
        Assert.That(inTrain.Semantic.equal(inEval.Semantic).all().item<bool>(), Is.True);
    }

    [TestCase(100)]
    [TestCase(112)]
    public void InputSizesThatAreNotMultiplesOf32AreRefused(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => Tiny(inputSize: 128).WithInputSize(size).Validate());
        Assert.That(e!.Message, Does.Contain($"Input size {size}").And.Contain("multiple of 32"));
    }

    [Test]
    public void TooManyCorrelatedLayersAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => (Tiny() with { CorrelationLayers = 5 }).Validate());
        Assert.That(e!.Message, Does.Contain("Correlation layers 5").And.Contain("1..4"));
    }

    [Test]
    public void ModelFileRoundTripsTheConfigAndKeepsDinov2FilesAsTheyWere()
    {
        var path = Path.Combine(dir, "resnet.safetensors");
        manual_seed(5);
        using var model = new UinoFss(Tiny());
        UinoModelFile.Save(path, model, includeEncoder: true);
        Assert.That(UinoModelFile.ReadConfig(path).ResNet!.Blocks, Is.EqualTo(new[] { 1, 1, 2, 2 }));
        using var loaded = UinoModelFile.Load(path);
        var (support, masks, query) = TinyUino.Episode(128);
        using var mode = inference_mode();
        model.eval();
        loaded.eval();
        using var x = model.Forward(support, masks, query);
        using var y = loaded.Forward(support, masks, query);
        Assert.That(y.MaskLogits.equal(x.MaskLogits).all().item<bool>(), Is.True);
        // A DINOv2 model's configuration JSON has no ResNet key (files written before it existed read the same).
        var json = System.Text.Json.JsonSerializer.Serialize(UinoFssPresets.Embedded(), UinoModelFile.Json.GetTypeInfo(typeof(UinoFssConfig)));
        Assert.That(json, Does.Not.Contain("ResNet"));
    }

    [Test]
    public void ASegmenterOnlyFileTakesTheEncoderFromTheNuGetPackage()
    {
        var path = Path.Combine(dir, "segmenter.safetensors");
        manual_seed(6);
        using (var model = new UinoFss(UinoFssPresets.ResNet18(inputSize: 64)))
            UinoModelFile.Save(path, model, includeEncoder: false);
        Assert.That(SafeTensors.ReadHeader(path).Entries.Any(e => e.Name.StartsWith("encoder.", StringComparison.Ordinal)), Is.False,
                    "the 63 MB encoder is not copied into model files");
        using var loaded = UinoModelFile.Load(path);
        var package = OnnxResNet.Load(ResNetWeights.Locate());
        try
        {
            var conv1 = loaded.Encoder.state_dict()["conv1.weight"];
            Assert.That(conv1.equal(package["conv1.weight"]).all().item<bool>(), Is.True, "the encoder is the package's ImageNet ResNet-18");
        }
        finally { foreach (var t in package.Values) t.Dispose(); }
    }

    [Test]
    public void AnotherEncoderNameNeedsItsWeightsFile()
    {
        var config = new ResNetEncoderConfig { Name = "my-resnet" };
        var e = Assert.Throws<CheckpointException>(() => config.LoadWeights());
        Assert.That(e!.Message, Does.Contain("my-resnet").And.Contain("give its weights file"));
    }
}
