using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// Container mirroring the official Sam module, so its state_dict keys are the sam_vit_* checkpoint keys
/// (image_encoder.*, prompt_encoder.*, mask_decoder.*). Without an encoder it holds only the prompt encoder and
/// mask decoder, which is what UINO runs on its own image embeddings.
/// </summary>
internal sealed class SamModel : nn.Module
{
    // Field names mirror the official checkpoint keys.
    private readonly ImageEncoderViT? image_encoder;
    private readonly PromptEncoder prompt_encoder;
    private readonly MaskDecoder mask_decoder;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(SamModel))]
    private SamModel(SamEncoderConfig? encoder, SamDecoderConfig decoder, Device? device) : base(nameof(SamModel))
    {
        decoder.Validate();
        DecoderConfig = decoder;
        if (encoder is not null)
        {
            var grid = encoder.ImgSize / encoder.PatchSize;
            if (encoder.OutChans != decoder.EmbedDim || grid != decoder.ImageEmbeddingSize || encoder.ImgSize != decoder.InputImageSize)
                throw new ArgumentException(
                    $"Encoder output {encoder.OutChans}×{grid}×{grid} (image {encoder.ImgSize}) does not fit the decoder's " +
                    $"{decoder.EmbedDim}×{decoder.ImageEmbeddingSize}×{decoder.ImageEmbeddingSize} (image {decoder.InputImageSize}).");
            image_encoder = new ImageEncoderViT(encoder, device);
        }
        var size = (decoder.ImageEmbeddingSize, decoder.ImageEmbeddingSize);
        prompt_encoder = new PromptEncoder(decoder.EmbedDim, size, (decoder.InputImageSize, decoder.InputImageSize), decoder.MaskInChans, device);
        mask_decoder = new MaskDecoder(decoder.EmbedDim,
            new TwoWayTransformer(decoder.TransformerDepth, decoder.EmbedDim, decoder.NumHeads, decoder.MlpDim, device: device),
            decoder.NumMultimaskOutputs, decoder.IouHeadDepth, decoder.IouHeadHiddenDim, device);
        RegisterComponents();
    }

    /// <summary>The whole model (image encoder, prompt encoder, mask decoder); <c>meta</c> builds the key/shape layout only.</summary>
    public static SamModel Create(SamConfig config, Device? device = null) => new(config.Encoder, config.Decoder, device);

    /// <summary>Only the prompt encoder and mask decoder, for image embeddings computed elsewhere (any size).</summary>
    public static SamModel CreateDecoderOnly(SamDecoderConfig decoder, Device? device = null) => new(null, decoder, device);

    public SamDecoderConfig DecoderConfig { get; }
    public ImageEncoderViT? ImageEncoder => image_encoder;
    public PromptEncoder PromptEncoder => prompt_encoder;
    public MaskDecoder MaskDecoder => mask_decoder;

    /// <summary>
    /// Decodes masks from image embeddings and already-encoded prompts: the call the UINO segmenter makes with its
    /// own sparse tokens. Uses the prompt encoder's dense PE. Returns low-res masks B×M×4h×4w and IoU B×M.
    /// </summary>
    public (Tensor Masks, Tensor IouPred) Decode(Tensor imageEmbeddings, Tensor sparsePromptEmbeddings, Tensor densePromptEmbeddings, bool multimaskOutput)
    {
        var (h, w) = prompt_encoder.ImageEmbeddingSize;
        if (imageEmbeddings.dim() != 4 || imageEmbeddings.shape[1] != prompt_encoder.EmbedDim || imageEmbeddings.shape[2] != h || imageEmbeddings.shape[3] != w)
            throw new ArgumentException(
                $"Image embeddings must be B×{prompt_encoder.EmbedDim}×{h}×{w} for this decoder, got [{string.Join(", ", imageEmbeddings.shape)}].",
                nameof(imageEmbeddings));
        using var pe = prompt_encoder.GetDensePe();
        return mask_decoder.Forward(imageEmbeddings, pe, sparsePromptEmbeddings, densePromptEmbeddings, multimaskOutput);
    }
}
