using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling;
using Uino.Modeling.ResNet;
using Uino.Tests.Shared;
using static TorchSharp.torch;
using ResNetModel = Uino.Modeling.ResNet.ResNet;

namespace Uino.Tests.Modeling;

/// <summary>
/// The TorchSharp ResNet-18 with the package's weights against the original ResNet18.onnx in ONNX Runtime, on real
/// photographs at the graph's 224×224: the pooled output and the last block of stages 1–3.
/// </summary>
[Category("Parity")]
public class ResNetParityTests
{
    private static readonly Lazy<ResNetModel> Model = new(() => ResNetWeights.Load());

    [Test]
    public void PortMatchesOnnxRuntimeOnRealPhotos()
    {
        using var folder = new TempFolder();
        var (session, input, outputs) = ResNetOracle.Session(folder.Path);
        using var _ = session;
        var model = Model.Value;
        foreach (var photo in ResNetOracle.Photos)
        {
            var x = ResNetOracle.Bgr255MinusMeans(ResNetOracle.Rgb255(photo));
            var expected = ResNetOracle.Run(session, input, x, outputs);
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var xt = tensor(x, [1, 3, ResNetOracle.Size, ResNetOracle.Size]);
            using var features = model.ForwardFeatures(xt);
            var actual = new[] { model.forward(xt), features.Stage(1)[^1], features.Stage(2)[^1], features.Stage(3)[^1] };
            string[] names = ["pooled", "stage1", "stage2", "stage3"];
            for (var k = 0; k < 4; k++)
            {
                var a = actual[k].contiguous().data<float>().ToArray();
                Assert.That(a, Has.Length.EqualTo(expected[k].Length), $"{names[k]} size");
                double maxDiff = 0, scale = 0;
                for (var i = 0; i < a.Length; i++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - expected[k][i]));
                    scale = Math.Max(scale, Math.Abs(expected[k][i]));
                }
                TestContext.Out.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(photo))} {names[k]}: max |diff| {maxDiff:E2}, max |ORT| {scale:F3}, relative {maxDiff / scale:E2}");
                Assert.That(maxDiff / scale, Is.LessThan(1e-4), $"{photo} {names[k]}: max |diff| {maxDiff} against max |ORT| {scale}");
            }
        }
    }

    /// <summary>
    /// The whole ML.NET featurizer (ResNetPreprocess.onnx: RGB → BGR minus its 224×224 mean image, then ResNet18.onnx)
    /// against the SDK's standard input through <see cref="ResNetModel.FromNormalizedRgb"/>, which subtracts the mean
    /// image's channel means instead: close, not equal.
    /// </summary>
    [Test]
    public void StandardInputThroughFromNormalizedRgbNearlyMatchesTheFeaturizerPipeline()
    {
        using var prep = new InferenceSession(ResNetOracle.PreprocessPath, new SessionOptions { IntraOpNumThreads = 1 });
        using var net = new InferenceSession(ResNetOracle.ModelPath, new SessionOptions { IntraOpNumThreads = 1 });
        var model = Model.Value;
        foreach (var photo in ResNetOracle.Photos)
        {
            var rgb = ResNetOracle.Rgb255(photo);
            var prepInput = NamedOnnxValue.CreateFromTensor(prep.InputMetadata.Keys.Single(), new DenseTensor<float>(rgb, [1, 3, 224, 224]));
            using var prepared = prep.Run([prepInput]);
            var bgr = prepared.Single().AsTensor<float>().ToArray();
            var expected = ResNetOracle.Run(net, net.InputMetadata.Keys.Single(), bgr, [net.OutputMetadata.Keys.Single()])[0];

            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            // The SDK's standard input: RGB in [0,1] normalised with ImageNet's mean and std.
            var mean = tensor(new[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]);
            var std = tensor(new[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]);
            var normalized = (tensor(rgb, [1, 3, 224, 224]).Over(255.0) - mean) / std;
            var converted = ResNetModel.FromNormalizedRgb(normalized);
            // The conversion itself is exact: BGR 0–255 minus the channel means.
            var direct = tensor(ResNetOracle.Bgr255MinusMeans(rgb), [1, 3, 224, 224]);
            var conversionError = (converted - direct).abs().max().item<float>();
            Assert.That(conversionError, Is.LessThan(1e-3f), "FromNormalizedRgb against BGR·255 − means");

            var actual = model.forward(converted).data<float>().ToArray();
            double dot = 0, na = 0, ne = 0, maxDiff = 0, scale = 0;
            for (var i = 0; i < actual.Length; i++)
            {
                dot += actual[i] * expected[i]; na += actual[i] * actual[i]; ne += expected[i] * expected[i];
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i])); scale = Math.Max(scale, Math.Abs(expected[i]));
            }
            var cosine = dot / Math.Sqrt(na * ne);
            TestContext.Out.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(photo))}: conversion error {conversionError:E2}; vs featurizer with mean image: cosine {cosine:F5}, max |diff| {maxDiff:F4} (max |ORT| {scale:F3})");
            Assert.That(cosine, Is.GreaterThan(0.99), photo);
        }
    }
}
