using NUnit.Framework;
using Onnx;
using Uino.Checkpoints;
using Uino.Modeling.ResNet;
using Uino.Tests.Modeling;
using Uino.Tests.Shared;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

/// <summary>ResNet18.onnx: found where the build puts it, every initializer mapped, wrong files refused clearly.</summary>
public class OnnxResNetTests
{
    [Test]
    public void TheBuildCopiesTheModelNextToTheAssemblies()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, ResNetWeights.FileName);
        Assert.That(File.Exists(copied), Is.True, $"{copied}: Uino.Sdk.csproj copies it from package {ResNetWeights.PackageId}");
        Assert.That(ResNetWeights.Locate(), Is.EqualTo(Path.GetFullPath(copied)));
        Assert.That(ResNetWeights.Candidates()[^1], Does.EndWith("0.24.0/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"));
    }

    [Test]
    public void EveryInitializerMapsToOneKeyAndLoadsStrictly()
    {
        var path = ResNetWeights.Locate();
        var onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer;
        var tensors = OnnxResNet.Load(path);
        try
        {
            using var model = new ResNet(ResNetConfig.Cntk18);
            var expected = model.state_dict();
            Assert.That(tensors.Keys, Is.EquivalentTo(expected.Keys));
            Assert.That(tensors.Count, Is.EqualTo(onnx.Count), "one key per initializer");
            Assert.That(tensors.Values.Sum(t => t.numel()), Is.EqualTo(15_908_800));
            Assert.That(onnx.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b)), Is.EqualTo(15_908_800));
            StateDict.Load(model, tensors, path);   // strict: shapes and keys
            // The stem convolution is Parameter91, the first initializer; the graph maps it, not the order.
            var stem = onnx.Single(t => t.Name == "Parameter91");
            Assert.That(tensors["conv1.weight"].flatten()[100].item<float>(), Is.EqualTo(stem.FloatData[100]));
            Assert.That(tensors["bn1.running_var"].min().item<float>(), Is.GreaterThan(0f));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    [Test]
    public void ResNetWeightsLoadGivesTheFullModel()
    {
        using var model = ResNetWeights.Load();
        Assert.That(model.state_dict().Values.Sum(t => t.numel()), Is.EqualTo(15_908_800));
        Assert.That(model.state_dict()["layer4.2.bn2.running_var"].min().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void WrongFilesGiveAClearCheckpointException()
    {
        using var folder = new TempFolder();
        var text = folder.File("notes.onnx");
        File.WriteAllText(text, "This is a text file, not a network.\n");
        var e = Assert.Throws<CheckpointException>(() => OnnxResNet.Load(text));
        Assert.That(e!.Message, Does.Contain(text).And.Contain("not").And.Contain("ONNX model").Or.Contain(ResNetWeights.PackageId));

        // Another ONNX model of the same package: the featurizer's preprocessing graph.
        var prep = ResNetOracle.PreprocessPath;
        e = Assert.Throws<CheckpointException>(() => OnnxResNet.Load(prep));
        Assert.That(e!.Message, Does.Contain($"is not the ImageNet ResNet-18 of NuGet package {ResNetWeights.PackageId} 0.24.0"));

        var truncated = folder.File("truncated.onnx");
        using (var source = File.OpenRead(ResNetWeights.Locate()))
        using (var target = File.Create(truncated))
        {
            var head = new byte[1 << 20];
            source.ReadExactly(head);
            target.Write(head);
        }
        e = Assert.Throws<CheckpointException>(() => OnnxResNet.Load(truncated));
        Assert.That(e!.Message, Does.Contain("truncated.onnx").And.Contain("not"));

        var empty = folder.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.That(Assert.Throws<CheckpointException>(() => OnnxResNet.Load(empty))!.Message, Does.Contain("is empty"));
        Assert.That(Assert.Throws<CheckpointException>(() => OnnxResNet.Load(folder.File("missing.onnx")))!.Message, Does.Contain("does not exist"));
        Assert.That(Assert.Throws<CheckpointException>(() => ResNetWeights.Locate(folder.File("missing.onnx")))!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void TheRightFileWithTheWrongLayoutNamesWhatItFound()
    {
        var torchvision18 = new ResNetConfig("torchvision-resnet18", [2, 2, 2, 2], [64, 128, 256, 512]);
        var e = Assert.Throws<CheckpointException>(() => OnnxResNet.Load(ResNetWeights.Locate(), torchvision18));
        Assert.That(e!.Message, Does.Contain("blocks per stage [2, 2, 2, 3]"));
    }
}
