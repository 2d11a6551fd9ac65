using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.ResNet;

/// <summary>
/// BatchNorm2d that always normalises with its running statistics (eval mode), whatever <c>train()</c> says:
/// the ResNet is a frozen, pretrained feature extractor. Its state_dict keys are those of <c>nn.BatchNorm2d</c>
/// less <c>num_batches_tracked</c> (as torchvision's FrozenBatchNorm2d): weight, bias, running_mean, running_var.
/// Not TorchSharp's <c>nn.BatchNorm2d</c>, whose forward hands native code temporary Scalars (TemporaryScalarTests).
/// </summary>
internal sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the checkpoint keys.
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
#pragma warning restore IDE1006
    private readonly double eps;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(FrozenBatchNorm2d))]
    public FrozenBatchNorm2d(long numFeatures, double eps = 1e-5, Device? device = null) : base(nameof(FrozenBatchNorm2d))
    {
        weight = Layers.Parameter(ones(numFeatures, device: device));
        bias = Layers.Parameter(zeros(numFeatures, device: device));
        running_mean = Layers.Buffer(zeros(numFeatures, device: device));
        running_var = Layers.Buffer(ones(numFeatures, device: device));
        this.eps = eps;
        RegisterComponents();
    }

    public long NumFeatures => weight.shape[0];

    /// <summary>(x − running_mean) / √(running_var + eps) · weight + bias, per channel of B×C×H×W.</summary>
    public override Tensor forward(Tensor x) =>
        nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training: false, momentum: 0.1, eps: eps);
}
