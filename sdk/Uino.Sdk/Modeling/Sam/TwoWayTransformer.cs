using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// SAM's two-way transformer (transformer.TwoWayTransformer): <c>depth</c> two-way blocks, then a final
/// token→image attention and LayerNorm. Returns the processed tokens B×N×C and image tokens B×hw×C.
/// </summary>
internal sealed class TwoWayTransformer : nn.Module
{
    // Field names mirror the official checkpoint keys (mask_decoder.transformer.layers.N.*, …).
    private readonly ModuleList<TwoWayAttentionBlock> layers;
    private readonly Attention final_attn_token_to_image;
    private readonly LayerNorm norm_final_attn;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(TwoWayTransformer))]
    public TwoWayTransformer(int depth, long embeddingDim, long numHeads, long mlpDim, long attentionDownsampleRate = 2,
                             Device? device = null)
        : base(nameof(TwoWayTransformer))
    {
        EmbeddingDim = embeddingDim;
        layers = new ModuleList<TwoWayAttentionBlock>();
        for (int i = 0; i < depth; i++)
            layers.Add(new TwoWayAttentionBlock(embeddingDim, numHeads, mlpDim, attentionDownsampleRate, skipFirstLayerPe: i == 0, device));
        final_attn_token_to_image = new Attention(embeddingDim, numHeads, attentionDownsampleRate, device);
        norm_final_attn = Layers.LayerNorm(embeddingDim, device: device);
        RegisterComponents();
    }

    public long EmbeddingDim { get; }

    /// <param name="imageEmbedding">B×C×h×w.</param>
    /// <param name="imagePe">B×C×h×w (or 1×C×h×w, broadcast).</param>
    /// <param name="pointEmbedding">B×N×C tokens; also their positional encoding, as in the official code.</param>
    public (Tensor Queries, Tensor Keys) Forward(Tensor imageEmbedding, Tensor imagePe, Tensor pointEmbedding)
    {
        if (imageEmbedding.dim() != 4 || imageEmbedding.shape[1] != EmbeddingDim)
            throw new ArgumentException($"Image embedding must be B×{EmbeddingDim}×h×w, got [{string.Join(", ", imageEmbedding.shape)}].", nameof(imageEmbedding));
        if (imagePe.dim() != 4 || imagePe.shape[1] != EmbeddingDim || imagePe.shape[2] != imageEmbedding.shape[2] || imagePe.shape[3] != imageEmbedding.shape[3])
            throw new ArgumentException($"Image PE must be B×{EmbeddingDim}×{imageEmbedding.shape[2]}×{imageEmbedding.shape[3]}, got [{string.Join(", ", imagePe.shape)}].", nameof(imagePe));
        if (pointEmbedding.dim() != 3 || pointEmbedding.shape[2] != EmbeddingDim || pointEmbedding.shape[0] != imageEmbedding.shape[0])
            throw new ArgumentException($"Tokens must be {imageEmbedding.shape[0]}×N×{EmbeddingDim}, got [{string.Join(", ", pointEmbedding.shape)}].", nameof(pointEmbedding));
        using var scope = NewDisposeScope();
        var bs = imageEmbedding.shape[0];
        // B×C×h×w → B×hw×C
        var keys = imageEmbedding.flatten(2).permute(0, 2, 1);
        var keyPe = imagePe.flatten(2).permute(0, 2, 1).expand(bs, -1, -1);
        var queries = pointEmbedding;
        foreach (var layer in layers)
            (queries, keys) = layer.Forward(queries, keys, pointEmbedding, keyPe);

        var q = queries.Plus(pointEmbedding);
        var k = keys.Plus(keyPe);
        queries = norm_final_attn.forward(queries.Plus(final_attn_token_to_image.forward(q, k, keys)));
        return (queries.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope());
    }
}
