using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.ResNet;

/// <summary>
/// torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3 convolutions without bias;
/// the shortcut is the identity, or <c>downsample</c> = 1×1/stride convolution + BatchNorm when the stride or the
/// width changes (keys <c>downsample.0</c>, <c>downsample.1</c>).
/// </summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the checkpoint keys (layer1.0.conv1.weight).
    public readonly Conv2d conv1;
    public readonly FrozenBatchNorm2d bn1;
    public readonly Conv2d conv2;
    public readonly FrozenBatchNorm2d bn2;
    public readonly Sequential? downsample;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(BasicBlock))]
    public BasicBlock(long inChannels, long channels, long stride, Device? device = null) : base(nameof(BasicBlock))
    {
        conv1 = Layers.Conv2d(inChannels, channels, 3, stride, padding: 1, bias: false, device: device);
        bn1 = new FrozenBatchNorm2d(channels, device: device);
        conv2 = Layers.Conv2d(channels, channels, 3, 1, padding: 1, bias: false, device: device);
        bn2 = new FrozenBatchNorm2d(channels, device: device);
        if (stride != 1 || inChannels != channels)
            downsample = nn.Sequential(
                ("0", Layers.Conv2d(inChannels, channels, 1, stride, padding: 0, bias: false, device: device)),
                ("1", new FrozenBatchNorm2d(channels, device: device)));
        RegisterComponents();
    }

    /// <summary>The block's output; <paramref name="x"/> is left untouched (callers keep every block's output).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = bn1.call(conv1.call(x)).relu_();
        var y = bn2.call(conv2.call(h));
        var shortcut = downsample is null ? x : downsample.call(x);
        return y.add_(shortcut, Scalars.One).relu_().MoveToOuterDisposeScope();
    }
}
