using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// Channel LayerNorm over dim 1 of B×C×H×W (SAM common.LayerNorm2d, eps 1e-6). Kept as its own math rather than
/// permute + layer_norm: the official biased variance formula is what the checkpoints were trained with.
/// </summary>
internal sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (…weight, …bias).
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly double eps;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(LayerNorm2d))]
    public LayerNorm2d(long numChannels, double eps = 1e-6, Device? device = null) : base(nameof(LayerNorm2d))
    {
        weight = Layers.Parameter(ones(numChannels, device: device));
        bias = Layers.Parameter(zeros(numChannels, device: device));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != weight.shape[0])
            throw new ArgumentException($"LayerNorm2d expects B×{weight.shape[0]}×H×W, got [{string.Join(", ", x.shape)}].", nameof(x));
        using var scope = NewDisposeScope();
        var u = x.mean([1], keepdim: true);
        var d = x - u;
        var s = (d * d).mean([1], keepdim: true);   // d², as pow(2) computes it, without its temporary Scalar
        var y = d / s.Plus(eps).sqrt_();
        return (weight.view(-1, 1, 1) * y).Plus(bias.view(-1, 1, 1)).MoveToOuterDisposeScope();
    }
}
