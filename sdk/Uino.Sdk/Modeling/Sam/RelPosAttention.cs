using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// The image encoder's multi-head attention with decomposed relative position bias (image_encoder.Attention,
/// from ViTDet / MViTv2). Named apart from the two-way transformer's <see cref="Attention"/>; its fields keep the
/// official names (qkv, proj, rel_pos_h, rel_pos_w) so the checkpoint keys match.
/// </summary>
internal sealed class RelPosAttention : nn.Module<Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (…attn.qkv.*, attn.proj.*, attn.rel_pos_h, attn.rel_pos_w).
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly Parameter? rel_pos_h;
    private readonly Parameter? rel_pos_w;
    private readonly long numHeads;
    private readonly long dim;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(RelPosAttention))]
    public RelPosAttention(long dim, long numHeads, bool qkvBias, bool useRelPos, (long H, long W) inputSize,
                           Device? device = null) : base("Attention")
    {
        if (dim % numHeads != 0) throw new ArgumentException($"num_heads ({numHeads}) must divide dim ({dim}).");
        this.dim = dim;
        this.numHeads = numHeads;
        var headDim = dim / numHeads;
        qkv = Layers.Linear(dim, dim * 3, hasBias: qkvBias, device: device);
        proj = Layers.Linear(dim, dim, device: device);
        if (useRelPos)
        {
            // Official rel_pos_zero_init: zeros (2·size − 1)×head_dim; checkpoints overwrite them.
            rel_pos_h = Layers.Parameter(zeros(2 * inputSize.H - 1, headDim, device: device));
            rel_pos_w = Layers.Parameter(zeros(2 * inputSize.W - 1, headDim, device: device));
        }
        RegisterComponents();
    }

    /// <summary>x: B×H×W×C → B×H×W×C.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[3] != dim)
            throw new ArgumentException($"Attention expects B×H×W×{dim}, got [{string.Join(", ", x.shape)}].", nameof(x));
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[1], w = x.shape[2];
        // 3 × (B·nHead) × HW × head_dim, as the official reshape/permute.
        var qkvT = qkv.forward(x).reshape(b, h * w, 3, numHeads, -1).permute(2, 0, 3, 1, 4).reshape(3, b * numHeads, h * w, -1);
        var q = qkvT[0];
        var k = qkvT[1];
        var v = qkvT[2];
        Tensor? bias = null;
        if (rel_pos_h is not null && rel_pos_w is not null)
            bias = DecomposedRelPos(q, rel_pos_h, rel_pos_w, (h, w), (h, w));
        // softmax(q·kᵀ·scale + rel-pos bias)·v; scale = head_dim^−0.5 is the SDPA default.
        var o = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: bias);
        o = o.view(b, numHeads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1);
        return proj.forward(o).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The additive bias of add_decomposed_rel_pos: rel_h[b, qh, qw, kh] + rel_w[b, qh, qw, kw] as (B, qh·qw, kh·kw),
    /// computed from the unscaled q as officially.
    /// </summary>
    private static Tensor DecomposedRelPos(Tensor q, Tensor relPosH, Tensor relPosW, (long H, long W) qSize, (long H, long W) kSize)
    {
        var rh = GetRelPos(qSize.H, kSize.H, relPosH);
        var rw = GetRelPos(qSize.W, kSize.W, relPosW);
        long b = q.shape[0], c = q.shape[2];
        var rq = q.reshape(b, qSize.H, qSize.W, c);
        var relH = einsum("bhwc,hkc->bhwk", rq, rh);
        var relW = einsum("bhwc,wkc->bhwk", rq, rw);
        return relH.unsqueeze(-1).Plus(relW.unsqueeze(-2)).reshape(b, qSize.H * qSize.W, kSize.H * kSize.W);
    }

    /// <summary>
    /// Official get_rel_pos: linearly resizes the table to 2·max(q,k)−1 rows when it has another length (checkpoint
    /// trained at another size), then gathers the (q, k) relative offsets, scaling the shorter axis.
    /// </summary>
    internal static Tensor GetRelPos(long qSize, long kSize, Tensor relPos)
    {
        var maxRelDist = 2 * Math.Max(qSize, kSize) - 1;
        Tensor resized = relPos;
        if (relPos.shape[0] != maxRelDist)
        {
            // F.interpolate(mode="linear", align_corners=False) over the length axis.
            resized = nn.functional.interpolate(relPos.reshape(1, relPos.shape[0], -1).permute(0, 2, 1),
                                                size: [maxRelDist], mode: InterpolationMode.Linear, align_corners: false)
                                   .reshape(-1, maxRelDist).permute(1, 0);
        }
        // float32 arithmetic then truncation, as the official arange(int) * python float → .long().
        double qScale = Math.Max((double)kSize / qSize, 1.0), kScale = Math.Max((double)qSize / kSize, 1.0);
        var qCoords = ScalarOps.Arange(0, qSize, dtype: ScalarType.Float32, device: relPos.device).unsqueeze(1).Times(qScale);
        var kCoords = ScalarOps.Arange(0, kSize, dtype: ScalarType.Float32, device: relPos.device).unsqueeze(0).Times(kScale);
        var rel = (qCoords - kCoords).Plus((kSize - 1) * kScale).to(ScalarType.Int64);
        return resized.index_select(0, rel.flatten()).reshape(qSize, kSize, -1);
    }
}
