using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// Multi-head self-attention (dinov2/layers/attention.py): one fused qkv projection split as (3, heads, head_dim),
/// softmax(q·kᵀ/√head_dim)·v through libtorch's fused SDPA kernel (the official code path without xFormers), then proj.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys (blocks.N.attn.qkv.weight).
    public readonly Linear qkv;
    public readonly Linear proj;
#pragma warning restore IDE1006

    public long Dim { get; }
    public long NumHeads { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Attention))]
    public Attention(long dim, long numHeads, bool qkvBias, bool projBias, Device? device = null) : base(nameof(Attention))
    {
        if (numHeads <= 0 || dim % numHeads != 0)
            throw new ArgumentException($"embed_dim {dim} must be a positive multiple of num_heads {numHeads}.");
        Dim = dim;
        NumHeads = numHeads;
        qkv = Layers.Linear(dim, dim * 3, hasBias: qkvBias, device: device);
        proj = Layers.Linear(dim, dim, hasBias: projBias, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != Dim)
            throw new ArgumentException($"Attention expects B×N×{Dim} tokens, got [{string.Join(", ", x.shape)}].");
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1];
        // (B, N, 3, H, d) → (3, B, H, N, d): q, k, v as views of one buffer, heads before tokens as SDPA wants.
        var parts = qkv.call(x).reshape(b, n, 3, NumHeads, Dim / NumHeads).permute(2, 0, 3, 1, 4).unbind(0);
        var o = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
        var y = proj.call(o.transpose(1, 2).reshape(b, n, Dim));
        return y.MoveToOuterDisposeScope();
    }
}
