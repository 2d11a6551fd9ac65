using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// One two-way block (transformer.TwoWayAttentionBlock): token self-attention, tokens→image cross attention,
/// token MLP, image→tokens cross attention; post-norm after each. The first block skips the PE in self-attention
/// and replaces (rather than adds to) the queries, as the official skip_first_layer_pe does.
/// </summary>
internal sealed class TwoWayAttentionBlock : nn.Module
{
    // Field names mirror the official checkpoint keys.
    private readonly Attention self_attn;
    private readonly LayerNorm norm1;
    private readonly Attention cross_attn_token_to_image;
    private readonly LayerNorm norm2;
    private readonly MLPBlock mlp;
    private readonly LayerNorm norm3;
    private readonly LayerNorm norm4;
    private readonly Attention cross_attn_image_to_token;
    private readonly bool skipFirstLayerPe;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(TwoWayAttentionBlock))]
    public TwoWayAttentionBlock(long embeddingDim, long numHeads, long mlpDim, long attentionDownsampleRate, bool skipFirstLayerPe,
                                Device? device = null)
        : base(nameof(TwoWayAttentionBlock))
    {
        self_attn = new Attention(embeddingDim, numHeads, device: device);
        norm1 = Layers.LayerNorm(embeddingDim, device: device); // torch default eps 1e-5, as the official nn.LayerNorm(embedding_dim)
        cross_attn_token_to_image = new Attention(embeddingDim, numHeads, attentionDownsampleRate, device);
        norm2 = Layers.LayerNorm(embeddingDim, device: device);
        mlp = new MLPBlock(embeddingDim, mlpDim, gelu: false, device); // TwoWayTransformer's activation is ReLU
        norm3 = Layers.LayerNorm(embeddingDim, device: device);
        norm4 = Layers.LayerNorm(embeddingDim, device: device);
        cross_attn_image_to_token = new Attention(embeddingDim, numHeads, attentionDownsampleRate, device);
        this.skipFirstLayerPe = skipFirstLayerPe;
        RegisterComponents();
    }

    public (Tensor Queries, Tensor Keys) Forward(Tensor queries, Tensor keys, Tensor queryPe, Tensor keyPe)
    {
        using var scope = NewDisposeScope();
        if (skipFirstLayerPe)
        {
            queries = self_attn.forward(queries, queries, queries);
        }
        else
        {
            var q0 = queries.Plus(queryPe);
            queries = queries.Plus(self_attn.forward(q0, q0, queries));
        }
        queries = norm1.forward(queries);

        var q = queries.Plus(queryPe);
        var k = keys.Plus(keyPe);
        queries = norm2.forward(queries.Plus(cross_attn_token_to_image.forward(q, k, keys)));

        queries = norm3.forward(queries.Plus(mlp.forward(queries)));

        q = queries.Plus(queryPe);
        keys = norm4.forward(keys.Plus(cross_attn_image_to_token.forward(k, q, queries)));
        return (queries.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope());
    }
}
