using Uino.Modeling.Dinov2;
using Uino.Modeling.Sam;

namespace Uino.Modeling.Fss;

/// <summary>
/// Every size of a UINO-FSS network. <see cref="Preset"/> gives the paper's models; the values the paper leaves
/// open are explained in docs/design-choices.md.
/// </summary>
internal sealed record UinoFssConfig
{
    /// <summary>The frozen DINOv2 encoder.</summary>
    public required Dinov2Config Backbone { get; init; }
    /// <summary>l_low, 1-based: the adapter reads the output of this many blocks (ViT-S 2, ViT-B 3, ViT-L 4).</summary>
    public required int AdapterLayer { get; init; }
    public UinoVariant Variant { get; init; } = UinoVariant.Full;
    /// <summary>Square input side in pixels, a multiple of the patch size (518 → 37×37 tokens).</summary>
    public int InputSize { get; init; } = 518;

    // Bottleneck adapter (footnote 3).
    public int AdapterBottleneck { get; init; } = 256;
    public int AdapterInner { get; init; } = 128;
    public int AdapterFfn { get; init; } = 512;
    public int AdapterHeads { get; init; } = 8;

    // Semantic-aware visual prompt.
    public int SvpHidden { get; init; } = 64;
    public int SvpPrototype { get; init; } = 32;

    // Mamba dense prompt generator.
    /// <summary>l: how many of the last DINOv2 layers are correlated (Eq. 8).</summary>
    public int CorrelationLayers { get; init; } = 3;
    /// <summary>l': channels of the refined hypercorrelation.</summary>
    public int HyperChannels { get; init; } = 64;
    public int StateDim { get; init; } = 12;
    public int QueryPartition { get; init; } = 4;
    public int SupportPartition { get; init; } = 4;
    /// <summary>Support dims of the 4D volume are average-pooled to this grid before the MHCM; 0 keeps them whole.</summary>
    public int SupportGrid { get; init; } = 8;
    public int HeadWidth { get; init; } = 128;

    /// <summary>SAM prompt encoder + mask decoder, at this config's embedding grid.</summary>
    public required SamDecoderConfig Decoder { get; init; }

    public int Grid => InputSize / Backbone.PatchSize;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        if (InputSize <= 0 || InputSize % Backbone.PatchSize != 0)
            throw new ArgumentException($"Input size {InputSize} must be a positive multiple of the patch size {Backbone.PatchSize}.");
        if (AdapterLayer < 1 || AdapterLayer > Backbone.Depth)
            throw new ArgumentException($"Adapter layer {AdapterLayer} must be in 1..{Backbone.Depth}.");
        if (CorrelationLayers < 1 || CorrelationLayers > Backbone.Depth)
            throw new ArgumentException($"Correlation layers {CorrelationLayers} must be in 1..{Backbone.Depth}.");
        if (Decoder.ImageEmbeddingSize != Grid || Decoder.InputImageSize != InputSize)
            throw new ArgumentException($"The decoder is configured for a {Decoder.ImageEmbeddingSize}² embedding of a {Decoder.InputImageSize}px input; the model needs {Grid}² of {InputSize}px.");
        if (HyperChannels % 4 != 0) throw new ArgumentException($"l' = {HyperChannels} must be a multiple of 4 (GroupNorm with 4 groups).");
        if (SupportGrid < 0) throw new ArgumentException("Support grid must be 0 (no pooling) or positive.");
        Decoder.Validate();
    }

    /// <summary>The same model at another input size (any multiple of the patch size).</summary>
    public UinoFssConfig WithInputSize(int inputSize) => this with
    {
        InputSize = inputSize,
        Decoder = Decoder with { ImageEmbeddingSize = inputSize / Backbone.PatchSize, InputImageSize = inputSize },
    };

    /// <summary>The paper's model on DINOv2 ViT-S/14, B/14 or L/14 (optionally <c>_reg4</c>), for a variant.</summary>
    public static UinoFssConfig Preset(string backbone, UinoVariant variant = UinoVariant.Full, int inputSize = 518)
    {
        var b = Dinov2Config.FromName(backbone);
        int lLow = b.EmbedDim switch { 384 => 2, 768 => 3, 1024 => 4, _ => throw new ArgumentException($"No UINO-FSS preset for backbone '{backbone}'.") };
        return new UinoFssConfig
        {
            Backbone = b,
            AdapterLayer = lLow,
            Variant = variant,
            InputSize = inputSize,
            Decoder = SamDecoderConfig.ForEmbedding(inputSize / b.PatchSize, inputSize),
        };
    }
}
