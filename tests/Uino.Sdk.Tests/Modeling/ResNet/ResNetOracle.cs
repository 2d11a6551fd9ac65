using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Uino.Checkpoints;
using Uino.Modeling.ResNet;
using Uino.Tests.Support;
using ResNetModel = Uino.Modeling.ResNet.ResNet;

namespace Uino.Tests.Modeling;

/// <summary>
/// The original ResNet18.onnx run by ONNX Runtime, with graph outputs added for the last block of stages 1–3
/// (found by structure: the tensors the three shortcut convolutions read), and real photographs as the graph expects
/// them: 224×224, BGR, 0–255, minus the channel means.
/// </summary>
internal static class ResNetOracle
{
    public const int Size = 224;

    /// <summary>Three real photographs from the shared dev data (DAVIS 2016 episodes), never copied into the repo.</summary>
    public static IReadOnlyList<string> Photos { get; } =
        new[] { "000", "004", "009" }.Select(e => Path.Combine(TestPaths.SharedRoot, "data", "dev", "davis2016-dev", "episodes", e, "query.jpg")).ToList();

    public static string ModelPath => ResNetWeights.Locate();

    /// <summary>The package's ResNetPreprocess.onnx (RGB → BGR minus a 224×224 mean image), in the NuGet package folder.</summary>
    public static string PreprocessPath =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ResNetWeights.Candidates()[^1])!, "..", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));

    /// <summary>A photo resized to 224×224 (bilinear), as 0–255 RGB planes, 1×3×224×224.</summary>
    public static float[] Rgb255(string photo)
    {
        Assert.That(File.Exists(photo), Is.True, $"{photo} is missing (the shared dev data lies in ../shared beside the repository).");
        using var image = Image.Load<Rgb24>(photo);
        image.Mutate(c => c.Resize(new ResizeOptions { Size = new Size(Size, Size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle }));
        var plane = Size * Size;
        var data = new float[3 * plane];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < Size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < Size; x++)
                {
                    data[y * Size + x] = row[x].R;
                    data[plane + y * Size + x] = row[x].G;
                    data[2 * plane + y * Size + x] = row[x].B;
                }
            }
        });
        return data;
    }

    /// <summary>The network's convention from 0–255 RGB planes: BGR minus <see cref="ResNetModel.MeanBgr"/>.</summary>
    public static float[] Bgr255MinusMeans(float[] rgb255)
    {
        var plane = Size * Size;
        var data = new float[3 * plane];
        for (var c = 0; c < 3; c++)
            for (var i = 0; i < plane; i++)
                data[c * plane + i] = (float)(rgb255[(2 - c) * plane + i] - ResNetModel.MeanBgr[c]);
        return data;
    }

    /// <summary>
    /// A session over ResNet18.onnx with the last block of stages 1–3 added as outputs (saved to
    /// <paramref name="folder"/>); the returned names are the pooled output, then stages 1, 2, 3.
    /// </summary>
    public static (InferenceSession Session, string Input, string[] Outputs) Session(string folder, int threads = 1)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(ModelPath));
        var g = model.Graph;
        var shortcutWeights = g.Initializer.Where(t => t.Dims.Count == 4 && t.Dims[2] == 1 && t.Dims[3] == 1)
                               .OrderBy(t => t.Dims[0]).Select(t => t.Name).ToList();
        Assert.That(shortcutWeights, Has.Count.EqualTo(3), "three 1×1 shortcut convolutions");
        var stageOutputs = shortcutWeights.Select(w => g.Node.Single(n => n.OpType == "Conv" && n.Input[1] == w).Input[0]).ToList();
        foreach (var name in stageOutputs)
            g.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        var path = Path.Combine(folder, "resnet18-with-stages.onnx");
        using (var file = File.Create(path)) Google.Protobuf.MessageExtensions.WriteTo(model, file);
        var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        var session = new InferenceSession(path, options);
        return (session, g.Input[0].Name, [g.Output[0].Name, .. stageOutputs]);
    }

    /// <summary>Runs one 1×3×224×224 input; returns each requested output as a flat array.</summary>
    public static float[][] Run(InferenceSession session, string input, float[] x, IReadOnlyList<string> outputs)
    {
        var feed = new[] { NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(x, [1, 3, Size, Size])) };
        using var results = session.Run(feed, outputs);
        return outputs.Select(o => results.Single(r => r.Name == o).AsTensor<float>().ToArray()).ToArray();
    }
}
