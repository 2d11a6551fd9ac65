using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss.Encoders;
using Uino.Modeling.Sam;

namespace Uino.Modeling.Fss;

/// <summary>
/// Configurations that are not the paper's models. <see cref="Embedded"/> is the small CPU model shipped inside
/// the SDK (sdk/models/uino-default.safetensors): the paper's structure (DINOv2-architecture encoder, bottleneck
/// adapter, SVP, MHCM with HGMBs, HSNet-style dense head, SAM prompt encoder + two-way mask decoder) at widths a
/// CPU can train from scratch in under an hour.
/// </summary>
internal static class UinoFssPresets
{
    /// <summary>The embedded encoder: a DINOv2-architecture ViT, patch 14, width 96, 6 blocks, 4 heads, 224 px (16×16 tokens).</summary>
    public static Dinov2Config EmbeddedBackbone { get; } = new("embedded-vit96", EmbedDim: 96, Depth: 6, NumHeads: 4, ImgSize: 224);

    /// <summary>The embedded model's architecture (input 224 px, decoder width 96, l' = 8, support grid 4). The committed default
    /// was fine-tuned at 252 px and its file records that size (sdk/models/README.md, phase R).</summary>
    public static UinoFssConfig Embedded(UinoVariant variant = UinoVariant.Full) => new()
    {
        Backbone = EmbeddedBackbone,
        AdapterLayer = 2,
        Variant = variant,
        InputSize = 224,
        AdapterBottleneck = 96,
        AdapterInner = 64,
        AdapterFfn = 256,
        AdapterHeads = 4,
        SvpHidden = 32,
        SvpPrototype = 16,
        CorrelationLayers = 3,
        HyperChannels = 8,
        StateDim = 4,
        QueryPartition = 4,
        SupportPartition = 4,
        SupportGrid = 4,
        HeadWidth = 32,
        Decoder = SamDecoderConfig.ForEmbedding(16, 224) with
        {
            EmbedDim = 96,
            MlpDim = 384,
            NumHeads = 4,
            IouHeadHiddenDim = 96,
        },
    };

    /// <summary>
    /// The real-photo model: UINO-FSS over the frozen ImageNet ResNet-18 of the NuGet package (no DINOv2 or SAM
    /// weights are reachable here). The adapter reads stage 2 (stride 8: a 40×40 embedding at 320 px, masks at
    /// stride 2); the last 5 blocks (stages 3–4) are correlated on the stride-16 grid (20×20); widths are the
    /// embedded model's, grown where the finer grids pay (docs/design-choices.md, "A CNN encoder").
    /// </summary>
    public static UinoFssConfig ResNet18(UinoVariant variant = UinoVariant.Full, int inputSize = 288) => new UinoFssConfig
    {
        ResNet = new ResNetEncoderConfig(),
        Variant = variant,
        InputSize = inputSize,
        AdapterBottleneck = 128,
        AdapterInner = 64,
        AdapterFfn = 256,
        AdapterHeads = 4,
        SvpHidden = 64,
        SvpPrototype = 32,
        CorrelationLayers = 5,
        HyperChannels = 8,
        StateDim = 4,
        QueryPartition = 4,
        SupportPartition = 4,
        SupportGrid = 4,
        HeadWidth = 32,
        Decoder = SamDecoderConfig.ForEmbedding(inputSize / 8, inputSize) with
        {
            EmbedDim = 128,
            MlpDim = 512,
            NumHeads = 4,
            IouHeadHiddenDim = 128,
        },
    };

    /// <summary>
    /// A tiny random-weight model at any input size (a multiple of 14), for tests and test-data generators: the
    /// same code paths as the paper's model, milliseconds per forward.
    /// </summary>
    public static UinoFssConfig TestTiny(UinoVariant variant, int inputSize) => new()
    {
        Backbone = new Dinov2Config("test-tiny", EmbedDim: 32, Depth: 4, NumHeads: 2),
        AdapterLayer = 2,
        Variant = variant,
        InputSize = inputSize,
        AdapterBottleneck = 32, AdapterInner = 16, AdapterFfn = 32, AdapterHeads = 2,
        SvpHidden = 8, SvpPrototype = 8,
        HyperChannels = 8, StateDim = 4, HeadWidth = 16,
        Decoder = new SamDecoderConfig
        {
            EmbedDim = 32, ImageEmbeddingSize = inputSize / 14, InputImageSize = inputSize, MlpDim = 64, NumHeads = 2,
            IouHeadHiddenDim = 32,
        },
    };

    /// <summary>A tiny model for tests (input 56 px, 4×4 tokens): seconds per step.</summary>
    public static UinoFssConfig Tiny(UinoVariant variant = UinoVariant.Full) => Embedded(variant) with
    {
        Backbone = new Dinov2Config("tiny-vit32", EmbedDim: 32, Depth: 3, NumHeads: 2, ImgSize: 56),
        AdapterLayer = 1,
        InputSize = 56,
        AdapterBottleneck = 32,
        AdapterInner = 32,
        AdapterFfn = 64,
        AdapterHeads = 2,
        SvpHidden = 16,
        SvpPrototype = 8,
        CorrelationLayers = 2,
        HyperChannels = 8,
        StateDim = 4,
        SupportGrid = 4,
        HeadWidth = 16,
        Decoder = SamDecoderConfig.ForEmbedding(4, 56) with
        {
            EmbedDim = 32,
            MlpDim = 64,
            NumHeads = 2,
            IouHeadHiddenDim = 32,
        },
    };

    /// <summary>By name: "resnet18", "embedded", "tiny", or a paper preset's backbone (vits14, vitb14, vitl14, …).</summary>
    public static UinoFssConfig ByName(string name, UinoVariant variant, int inputSize = 518) => name.Trim().ToLowerInvariant() switch
    {
        "resnet18" => ResNet18(variant),
        "embedded" => Embedded(variant),
        "tiny" => Tiny(variant),
        _ => UinoFssConfig.Preset(name, variant, inputSize),
    };
}
