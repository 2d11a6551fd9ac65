using System.Text.Json.Serialization;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss.Encoders;
using Uino.Modeling.Sam;

namespace Uino.Modeling.Fss;

/// <summary>
/// Every size of a UINO-FSS network. <see cref="Preset"/> gives the paper's models; the values the paper leaves
/// open are explained in docs/design-choices.md.
/// </summary>
internal sealed record UinoFssConfig
{
    /// <summary>The frozen DINOv2 encoder (the paper's); null when <see cref="ResNet"/> is the encoder.</summary>
    public Dinov2Config? Backbone { get; init; }
    /// <summary>A frozen ImageNet ResNet as the encoder instead of DINOv2 (the real-photo default); null for DINOv2.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResNetEncoderConfig? ResNet { get; init; }
    /// <summary>l_low, 1-based: the adapter reads the output of this many blocks (ViT-S 2, ViT-B 3, ViT-L 4); DINOv2 only.</summary>
    public int AdapterLayer { get; init; }
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

    /// <summary>Side of the correlation grid (the prompts' feature maps): input / patch size, or input / 16 for a ResNet.</summary>
    public int Grid => InputSize / (Backbone?.PatchSize ?? ResNetEncoderConfig.CorrelationStride);

    /// <summary>Side of the decoder's image embedding: the correlation grid for a ViT, the adapter stage's grid for a ResNet.</summary>
    public int EmbeddingGrid => Backbone is null ? InputSize / ResNet!.AdapterStride : Grid;

    /// <summary>Input sides must be multiples of this: the patch size, or a ResNet's deepest stride.</summary>
    public int InputMultiple => Backbone?.PatchSize ?? ResNetEncoderConfig.InputMultiple;

    /// <summary>The encoder's name as files and reports show it (vitb14, resnet18-imagenet, …).</summary>
    public string EncoderName => Backbone?.Name ?? ResNet!.Name;

    /// <summary>Layers (blocks) the encoder has: the bound on <see cref="CorrelationLayers"/> and on a file's declared depth.</summary>
    public int EncoderDepth => Backbone?.Depth ?? ResNet!.Blocks.Sum();

    /// <summary>The DINOv2 encoder, for the paths that exist only for it (official checkpoints, distillation).</summary>
    public Dinov2Config Vit => Backbone ?? throw new ArgumentException($"This model's encoder is {EncoderName}, not DINOv2.");

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Validate()
    {
        if ((Backbone is null) == (ResNet is null))
            throw new ArgumentException("A model needs exactly one encoder: a DINOv2 backbone or a ResNet.");
        ResNet?.Validate();
        if (InputSize <= 0 || InputSize % InputMultiple != 0)
            throw new ArgumentException($"Input size {InputSize} must be a positive multiple of {InputMultiple} (the encoder's {(Backbone is null ? "deepest stride" : "patch size")}).");
        if (Backbone is not null && (AdapterLayer < 1 || AdapterLayer > Backbone.Depth))
            throw new ArgumentException($"Adapter layer {AdapterLayer} must be in 1..{Backbone.Depth}.");
        int correlatable = Backbone?.Depth ?? ResNet!.CorrelatableBlocks;
        if (CorrelationLayers < 1 || CorrelationLayers > correlatable)
            throw new ArgumentException($"Correlation layers {CorrelationLayers} must be in 1..{correlatable}.");
        if (Decoder.ImageEmbeddingSize != EmbeddingGrid || Decoder.InputImageSize != InputSize)
            throw new ArgumentException($"The decoder is configured for a {Decoder.ImageEmbeddingSize}² embedding of a {Decoder.InputImageSize}px input; the model needs {EmbeddingGrid}² of {InputSize}px.");
        if (HyperChannels % 4 != 0) throw new ArgumentException($"l' = {HyperChannels} must be a multiple of 4 (GroupNorm with 4 groups).");
        if (SupportGrid < 0) throw new ArgumentException("Support grid must be 0 (no pooling) or positive.");
        Decoder.Validate();
    }

    /// <summary>The same model at another input size (any multiple of <see cref="InputMultiple"/>).</summary>
    public UinoFssConfig WithInputSize(int inputSize)
    {
        var resized = this with { InputSize = inputSize };
        return resized with { Decoder = Decoder with { ImageEmbeddingSize = resized.EmbeddingGrid, InputImageSize = inputSize } };
    }

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
