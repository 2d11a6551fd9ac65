using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.ResNet;

/// <summary>
/// A frozen ImageNet ResNet of BasicBlocks, laid out as torchvision's <c>resnet18</c> (state_dict keys
/// <c>conv1.weight</c>, <c>bn1.*</c>, <c>layer{s}.{i}.conv1/bn1/conv2/bn2.*</c>, <c>layer{s}.0.downsample.0/1.*</c>)
/// without the classifier: <see cref="forward"/> is the global average of the last stage, B×512 for
/// <see cref="ResNetConfig.Cntk18"/> (the ONNX model's output). Padding is symmetric (3 for the stem, 1 for 3×3
/// convolutions and the max-pool), so any input size works; the CNTK export's asymmetric pads give the same numbers
/// at 224×224. Input: B×3×H×W in the network's own convention, BGR in 0–255 minus <see cref="MeanBgr"/>
/// (<see cref="FromNormalizedRgb"/> converts the SDK's standard input); H and W multiples of 32 keep every stage's
/// grid exact. BatchNorm always uses its running statistics, parameters do not require grad, and
/// <see cref="train"/> leaves the module in eval mode.
/// </summary>
internal sealed class ResNet : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Per-channel means (B, G, R, 0–255) the network expects subtracted: the channel means of the 224×224 mean
    /// image of the package's ResNetPreprocess.onnx, which the featurizer subtracts pixel by pixel.
    /// </summary>
    public static readonly double[] MeanBgr = [103.06262401521815, 115.90288236463556, 123.1516307762691];

    // The SDK's standard input (Imaging.Preprocessing): RGB in [0,1], (x − mean) / std with ImageNet's statistics.
    private static readonly double[] ImageNetMeanRgb = [0.485, 0.456, 0.406];
    private static readonly double[] ImageNetStdRgb = [0.229, 0.224, 0.225];

#pragma warning disable IDE1006 // Field names mirror the checkpoint keys.
    public readonly Conv2d conv1;
    public readonly FrozenBatchNorm2d bn1;
    public readonly Sequential layer1;
    public readonly Sequential layer2;
    public readonly Sequential layer3;
    public readonly Sequential layer4;
#pragma warning restore IDE1006

    public ResNetConfig Config { get; }

    /// <param name="config">Architecture; four stages (<see cref="ResNetConfig.Cntk18"/>).</param>
    /// <param name="device">Where to allocate the weights (default CPU); <c>meta</c> builds the key/shape layout only.</param>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(ResNet))]
    public ResNet(ResNetConfig config, Device? device = null) : base(nameof(ResNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Stages != 4 || config.Channels.Count != 4 || config.BlocksPerStage.Any(n => n < 1) || config.Channels.Any(c => c < 1))
            throw new ArgumentException($"A ResNet needs 4 stages of at least one block and a positive width each, got {config}.", nameof(config));
        Config = config;
        using var build = new LayerBuild();
        conv1 = Layers.Conv2d(3, config.Channels[0], 7, stride: 2, padding: 3, bias: false, device: device);
        bn1 = new FrozenBatchNorm2d(config.Channels[0], device: device);
        var stages = new Sequential[4];
        long inChannels = config.Channels[0];
        for (var s = 0; s < 4; s++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var i = 0; i < config.BlocksPerStage[s]; i++)
            {
                blocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            new BasicBlock(inChannels, config.Channels[s], stride: s > 0 && i == 0 ? 2 : 1, device)));
                inChannels = config.Channels[s];
            }
            stages[s] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        RegisterComponents();
        foreach (var p in parameters()) p.requires_grad = false;
        base.train(false);
        build.Complete();
    }

    /// <summary>Stays in eval mode: the network is frozen (BatchNorm ignores the mode anyway).</summary>
    public override void train(bool on = true) => base.train(false);

    /// <summary>The global average of the last stage's output, B×C (B×512): the ONNX model's output, flattened.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = ForwardFeatures(x);
        return features.Last.mean([2, 3]);
    }

    /// <summary>
    /// Runs the stem and stages 1 … <paramref name="lastStage"/> (later stages are skipped) and returns every
    /// block's output.
    /// </summary>
    /// <param name="x">B×3×H×W, BGR 0–255 minus <see cref="MeanBgr"/>.</param>
    /// <param name="lastStage">The last stage to run, 1 … 4.</param>
    public ResNetFeatures ForwardFeatures(Tensor x, int lastStage = 4)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new ArgumentException($"ResNet expects B×3×H×W, got [{string.Join(", ", x.shape)}].", nameof(x));
        if (x.shape[2] < 32 || x.shape[3] < 32)
            throw new ArgumentException($"ResNet needs an input of at least 32×32, got {x.shape[2]}×{x.shape[3]}.", nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(lastStage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastStage, 4);
        using var scope = NewDisposeScope();
        var stem = bn1.call(conv1.call(x)).relu_();
        var h = nn.functional.max_pool2d(stem, 3, stride: 2, padding: 1);
        stem.Dispose();
        var stages = new List<IReadOnlyList<Tensor>>();
        Sequential[] layers = [layer1, layer2, layer3, layer4];
        for (var s = 0; s < lastStage; s++)
        {
            var outputs = new List<Tensor>();
            foreach (var block in layers[s].children().Cast<BasicBlock>())
            {
                h = block.call(h);
                outputs.Add(h);
            }
            stages.Add(outputs);
        }
        foreach (var t in stages.SelectMany(o => o)) t.MoveToOuterDisposeScope();
        return new ResNetFeatures(stages);
    }

    /// <summary>
    /// Converts the SDK's standard input (RGB, [0,1], normalised with ImageNet mean 0.485/0.456/0.406 and std
    /// 0.229/0.224/0.225: <c>Imaging.Preprocessing</c>) into this network's convention: BGR in 0–255 minus
    /// <see cref="MeanBgr"/>. One channel flip (the only new tensor) and one per-channel affine in place:
    /// out_c = x_(2−c) · 255·std_(2−c) + (255·mean_(2−c) − MeanBgr_c).
    /// </summary>
    /// <param name="x">B×3×H×W float, normalised RGB.</param>
    public static Tensor FromNormalizedRgb(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4 || x.shape[1] != 3 || !x.is_floating_point())
            throw new ArgumentException($"Expected a float B×3×H×W image, got {x.dtype} [{string.Join(", ", x.shape)}].", nameof(x));
        var scale = new float[3];
        var shift = new float[3];
        for (var c = 0; c < 3; c++)
        {
            var k = 2 - c;   // BGR channel c comes from RGB channel 2 − c
            scale[c] = (float)(255 * ImageNetStdRgb[k]);
            shift[c] = (float)(255 * ImageNetMeanRgb[k] - MeanBgr[c]);
        }
        using var scope = NewDisposeScope();
        var w = tensor(scale, [1, 3, 1, 1], device: x.device).to(x.dtype);
        var b = tensor(shift, [1, 3, 1, 1], device: x.device).to(x.dtype);
        return x.flip(1).mul_(w).add_(b, Scalars.One).MoveToOuterDisposeScope();
    }
}
