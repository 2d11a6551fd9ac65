using Uino.Checkpoints;
using Uino.Modeling.ResNet;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss.Encoders;

/// <summary>
/// A frozen ImageNet ResNet as UINO-FSS's image encoder (in place of DINOv2; docs/design-choices.md, "A CNN
/// encoder"). Where the paper taps ViT layers, this taps residual blocks as HSNet does: the adapter reads the output of
/// stage <see cref="AdapterStage"/> (stride 8 for stage 2), and the prompt generators correlate the last
/// <c>CorrelationLayers</c> blocks of stages 3–4, the stage-4 maps upsampled ×2 to the stage-3 grid (stride 16), so
/// that every correlated layer shares one grid as the ViT's do.
/// </summary>
internal sealed record ResNetEncoderConfig
{
    /// <summary>Which weights the encoder needs (the model file records it; "resnet18-imagenet" is the NuGet package's).</summary>
    public string Name { get; init; } = DefaultName;
    /// <summary>Basic blocks per stage.</summary>
    public int[] Blocks { get; init; } = [2, 2, 2, 3];
    /// <summary>Output channels per stage.</summary>
    public int[] Channels { get; init; } = [64, 128, 256, 512];
    /// <summary>1-based stage whose output the bottleneck adapter reads (its stride is 2^(stage+1)).</summary>
    public int AdapterStage { get; init; } = 2;

    /// <summary>The stride of the correlation grid (stage 3).</summary>
    public const int CorrelationStride = 16;
    /// <summary>Input sides must be multiples of the deepest stride, so every stage halves exactly.</summary>
    public const int InputMultiple = 32;

    /// <summary>Stride of the adapter's input, hence of the decoder's image embedding.</summary>
    public int AdapterStride => 1 << (AdapterStage + 1);

    /// <summary>Blocks of stages 3 and 4, the ones that can be correlated.</summary>
    public int CorrelatableBlocks => Blocks[2] + Blocks[3];

    /// <summary>The backbone's shape.</summary>
    public ResNetConfig Backbone => new(Name, Blocks, Channels);

    /// <summary>
    /// The encoder's weights, keyed as <see cref="ResNet.ResNet"/>'s state dict: from <paramref name="path"/> (an .onnx
    /// of this network), or from the NuGet package's file found beside the SDK (<see cref="ResNetWeights"/>).
    /// </summary>
    /// <exception cref="CheckpointException">The weights are not found, or are not this network.</exception>
    public Dictionary<string, Tensor> LoadWeights(string? path = null)
    {
        if (path is null && Name != DefaultName)
            throw new CheckpointException($"This model's encoder is '{Name}'; only '{DefaultName}' ships with Uino: give its weights file.");
        return OnnxResNet.Load(ResNetWeights.Locate(path), Backbone);
    }

    /// <summary>The name of the ImageNet ResNet-18 that NuGet package <see cref="ResNetWeights.PackageId"/> ships.</summary>
    public const string DefaultName = "resnet18-imagenet";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        if (Blocks is not { Length: 4 } || Channels is not { Length: 4 } || Blocks.Any(b => b < 1 || b > 64) || Channels.Any(c => c < 1 || c > 4096))
            throw new ArgumentException("A ResNet encoder needs 4 stages, each with 1–64 blocks and 1–4096 channels.");
        if (AdapterStage is < 1 or > 3)
            throw new ArgumentException($"Adapter stage {AdapterStage} must be 1, 2 or 3.");
    }
}
