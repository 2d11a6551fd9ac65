using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// SAM's mask decoder (mask_decoder.MaskDecoder): [iou token, mask tokens, prompt tokens] run through the two-way
/// transformer against image + dense prompt; the image tokens are upscaled 4× and dotted with per-token hypernetwork
/// outputs. Returns low-res masks B×M×4h×4w and IoU predictions B×M (M = 3 with multimask output, else 1).
/// </summary>
internal sealed class MaskDecoder : nn.Module
{
    // Field names mirror the official checkpoint keys (mask_decoder.*).
    private readonly TwoWayTransformer transformer;
    private readonly Embedding iou_token;
    private readonly Embedding mask_tokens;
    private readonly Sequential output_upscaling;
    private readonly ModuleList<MLP> output_hypernetworks_mlps;
    private readonly MLP iou_prediction_head;
    private readonly long transformerDim;
    private readonly int numMaskTokens;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(MaskDecoder))]
    public MaskDecoder(long transformerDim, TwoWayTransformer transformer, int numMultimaskOutputs = 3,
                       int iouHeadDepth = 3, long iouHeadHiddenDim = 256, Device? device = null) : base(nameof(MaskDecoder))
    {
        if (transformerDim % 8 != 0) throw new ArgumentException($"transformer_dim must be a multiple of 8, got {transformerDim}.", nameof(transformerDim));
        if (transformer.EmbeddingDim != transformerDim)
            throw new ArgumentException($"The transformer's embedding dim {transformer.EmbeddingDim} differs from transformer_dim {transformerDim}.", nameof(transformer));
        this.transformerDim = transformerDim;
        this.transformer = transformer;
        NumMultimaskOutputs = numMultimaskOutputs;
        numMaskTokens = numMultimaskOutputs + 1;
        iou_token = Layers.Embedding(1, transformerDim, device);
        mask_tokens = Layers.Embedding(numMaskTokens, transformerDim, device);
        output_upscaling = nn.Sequential(
            Layers.ConvTranspose2d(transformerDim, transformerDim / 4, kernel_size: 2, stride: 2, device: device),
            new LayerNorm2d(transformerDim / 4, device: device),
            nn.GELU(),
            Layers.ConvTranspose2d(transformerDim / 4, transformerDim / 8, kernel_size: 2, stride: 2, device: device),
            nn.GELU());
        output_hypernetworks_mlps = new ModuleList<MLP>();
        for (int i = 0; i < numMaskTokens; i++)
            output_hypernetworks_mlps.Add(new MLP(transformerDim, transformerDim, transformerDim / 8, 3, device));
        iou_prediction_head = new MLP(transformerDim, iouHeadHiddenDim, numMaskTokens, iouHeadDepth, device);
        RegisterComponents();
    }

    public int NumMultimaskOutputs { get; }

    /// <summary>
    /// Predicts masks (official forward).
    /// </summary>
    /// <param name="imageEmbeddings">1×C×h×w (shared by every prompt, as officially) or B×C×h×w (one image per prompt set).</param>
    /// <param name="imagePe">1×C×h×w or B×C×h×w positional encoding (prompt encoder's <c>GetDensePe</c>).</param>
    /// <param name="sparsePromptEmbeddings">B×N×C prompt tokens (N may be 0).</param>
    /// <param name="densePromptEmbeddings">B×C×h×w (or 1×C×h×w) dense prompt.</param>
    /// <param name="multimaskOutput">True: the 3 disambiguation masks (tokens 1..); false: the single mask (token 0).</param>
    public (Tensor Masks, Tensor IouPred) Forward(Tensor imageEmbeddings, Tensor imagePe, Tensor sparsePromptEmbeddings,
                                                 Tensor densePromptEmbeddings, bool multimaskOutput)
    {
        Validate(imageEmbeddings, imagePe, sparsePromptEmbeddings, densePromptEmbeddings);
        using var scope = NewDisposeScope();
        var (masks, iou) = PredictMasks(imageEmbeddings, imagePe, sparsePromptEmbeddings, densePromptEmbeddings);
        var slice = multimaskOutput ? new TensorIndex[] { TensorIndex.Colon, TensorIndex.Slice(1, null) }
                                    : new TensorIndex[] { TensorIndex.Colon, TensorIndex.Slice(0, 1) };
        return (masks[slice].MoveToOuterDisposeScope(), iou[slice].MoveToOuterDisposeScope());
    }

    private (Tensor Masks, Tensor Iou) PredictMasks(Tensor imageEmbeddings, Tensor imagePe, Tensor sparse, Tensor dense)
    {
        var bs = sparse.shape[0];
        var outputTokens = cat([iou_token.weight!, mask_tokens.weight!], 0).unsqueeze(0).expand(bs, -1, -1);
        var tokens = cat([outputTokens, sparse.to(outputTokens.dtype)], 1);

        // Official: repeat_interleave of the (single) image embedding over the prompt batch, then + dense. Adding a
        // 1×C×h×w embedding to the B×C×h×w dense prompt broadcasts to the same values without the extra copy.
        var src = imageEmbeddings.Plus(dense);
        if (src.shape[0] != bs) src = src.expand(bs, -1, -1, -1);
        var posSrc = imagePe.shape[0] == bs ? imagePe : imagePe.expand(bs, -1, -1, -1);
        long c = src.shape[1], h = src.shape[2], w = src.shape[3];

        var (hs, keys) = transformer.Forward(src, posSrc, tokens);
        var iouTokenOut = hs[TensorIndex.Colon, 0, TensorIndex.Colon];
        var maskTokensOut = hs[TensorIndex.Colon, TensorIndex.Slice(1, 1 + numMaskTokens), TensorIndex.Colon];

        var upscaled = output_upscaling.forward(keys.transpose(1, 2).reshape(bs, c, h, w));
        var hyperIn = stack(Enumerable.Range(0, numMaskTokens)
            .Select(i => output_hypernetworks_mlps[i].forward(maskTokensOut[TensorIndex.Colon, i, TensorIndex.Colon])), 1);
        long uc = upscaled.shape[1], uh = upscaled.shape[2], uw = upscaled.shape[3];
        var masks = hyperIn.matmul(upscaled.view(bs, uc, uh * uw)).view(bs, -1, uh, uw);
        var iou = iou_prediction_head.forward(iouTokenOut);
        return (masks, iou);
    }

    private void Validate(Tensor image, Tensor pe, Tensor sparse, Tensor dense)
    {
        static string S(Tensor t) => string.Join(", ", t.shape);
        if (image.dim() != 4 || image.shape[1] != transformerDim)
            throw new ArgumentException($"Image embeddings must be B×{transformerDim}×h×w, got [{S(image)}].", nameof(image));
        long h = image.shape[2], w = image.shape[3];
        if (sparse.dim() != 3 || sparse.shape[2] != transformerDim)
            throw new ArgumentException($"Sparse prompt embeddings must be B×N×{transformerDim}, got [{S(sparse)}].", nameof(sparse));
        var bs = sparse.shape[0];
        if (image.shape[0] != 1 && image.shape[0] != bs)
            throw new ArgumentException($"Image embeddings batch {image.shape[0]} must be 1 or the prompt batch {bs}.", nameof(image));
        if (pe.dim() != 4 || pe.shape[1] != transformerDim || pe.shape[2] != h || pe.shape[3] != w || (pe.shape[0] != 1 && pe.shape[0] != bs))
            throw new ArgumentException($"Image PE must be 1×{transformerDim}×{h}×{w} (or batch {bs}), got [{S(pe)}].", nameof(pe));
        if (dense.dim() != 4 || dense.shape[1] != transformerDim || dense.shape[2] != h || dense.shape[3] != w || (dense.shape[0] != 1 && dense.shape[0] != bs))
            throw new ArgumentException($"Dense prompt embeddings must be {bs}×{transformerDim}×{h}×{w}, got [{S(dense)}].", nameof(dense));
    }
}
