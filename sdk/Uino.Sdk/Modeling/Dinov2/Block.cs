using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// Pre-norm transformer block (dinov2/layers/block.py, NestedTensorBlock on a plain tensor at inference):
/// x + ls1(attn(norm1(x))), then + ls2(mlp(norm2(x))). Stochastic depth is a training-only no-op here.
/// </summary>
internal sealed class Block : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys (blocks.N.norm1.weight, ...).
    public readonly LayerNorm norm1;
    public readonly Attention attn;
    public readonly nn.Module<Tensor, Tensor> ls1;
    public readonly LayerNorm norm2;
    public readonly Mlp mlp;
    public readonly nn.Module<Tensor, Tensor> ls2;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Block))]
    public Block(long dim, long numHeads, double mlpRatio, bool qkvBias, bool projBias, bool ffnBias, double? initValues,
                 Device? device = null)
        : base(nameof(Block))
    {
        // The official norm_layer is partial(nn.LayerNorm, eps=1e-6).
        norm1 = Layers.LayerNorm(dim, eps: 1e-6, device: device);
        attn = new Attention(dim, numHeads, qkvBias, projBias, device);
        // Official: LayerScale only when init_values is truthy, else Identity (no ls*.gamma keys).
        ls1 = initValues is { } v1 && v1 != 0 ? new LayerScale(dim, v1, device) : nn.Identity();
        norm2 = Layers.LayerNorm(dim, eps: 1e-6, device: device);
        mlp = new Mlp(dim, (long)(dim * mlpRatio), ffnBias, device);
        ls2 = initValues is { } v2 && v2 != 0 ? new LayerScale(dim, v2, device) : nn.Identity();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Residual(x, attn.call(norm1.call(x)), ls1);
        var y = Residual(h, mlp.call(norm2.call(h)), ls2);
        return y.MoveToOuterDisposeScope();
    }

    // Cached: an implicit Scalar per call would be a native handle left to the GC.
    private static readonly Scalar One = 1.0;

    // x + r·gamma in one fused kernel (addcmul) instead of a multiply and an add.
    private static Tensor Residual(Tensor x, Tensor r, nn.Module<Tensor, Tensor> ls) =>
        ls is LayerScale scale ? x.addcmul(r, scale.gamma, One) : x.Plus(r);
}
