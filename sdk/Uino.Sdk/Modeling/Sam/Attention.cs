using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// The two-way transformer's attention (transformer.Attention): q/k/v projected to embedding_dim / downsample_rate,
/// split into heads, plain softmax attention scaled by 1/√head_dim, projected back to embedding_dim.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (…q_proj.*, k_proj.*, v_proj.*, out_proj.*).
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;
    private readonly long embeddingDim;
    private readonly long internalDim;
    private readonly long numHeads;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Attention))]
    public Attention(long embeddingDim, long numHeads, long downsampleRate = 1, Device? device = null) : base(nameof(Attention))
    {
        internalDim = embeddingDim / downsampleRate;
        if (downsampleRate < 1 || internalDim % numHeads != 0)
            throw new ArgumentException($"num_heads ({numHeads}) must divide embedding_dim / downsample_rate ({embeddingDim}/{downsampleRate}).");
        this.embeddingDim = embeddingDim;
        this.numHeads = numHeads;
        q_proj = Layers.Linear(embeddingDim, internalDim, device: device);
        k_proj = Layers.Linear(embeddingDim, internalDim, device: device);
        v_proj = Layers.Linear(embeddingDim, internalDim, device: device);
        out_proj = Layers.Linear(internalDim, embeddingDim, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor q, Tensor k, Tensor v)
    {
        if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || q.shape[2] != embeddingDim || k.shape[2] != embeddingDim || v.shape[2] != embeddingDim)
            throw new ArgumentException($"Attention expects B×N×{embeddingDim} q, k, v; got [{string.Join(", ", q.shape)}], [{string.Join(", ", k.shape)}], [{string.Join(", ", v.shape)}].");
        if (k.shape[1] != v.shape[1] || q.shape[0] != k.shape[0] || k.shape[0] != v.shape[0])
            throw new ArgumentException($"Attention: keys and values must share batch and length; got [{string.Join(", ", k.shape)}] and [{string.Join(", ", v.shape)}].");
        using var scope = NewDisposeScope();
        var qh = SeparateHeads(q_proj.forward(q));
        var kh = SeparateHeads(k_proj.forward(k));
        var vh = SeparateHeads(v_proj.forward(v));
        // Plain softmax(q·kᵀ/√d)·v: the fused kernel gives the same math with fewer temporaries.
        var o = nn.functional.scaled_dot_product_attention(qh, kh, vh);
        var b = o.shape[0];
        var n = o.shape[2];
        o = o.transpose(1, 2).reshape(b, n, internalDim);
        return out_proj.forward(o).MoveToOuterDisposeScope();
    }

    private Tensor SeparateHeads(Tensor x) => x.view(x.shape[0], x.shape[1], numHeads, internalDim / numHeads).transpose(1, 2);
}
