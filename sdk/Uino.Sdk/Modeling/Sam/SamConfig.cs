namespace Uino.Modeling.Sam;

/// <summary>Constructor arguments of SAM's <see cref="ImageEncoderViT"/> (official ImageEncoderViT / build_sam.py).</summary>
internal sealed record SamEncoderConfig
{
    public int ImgSize { get; init; } = 1024;
    public int PatchSize { get; init; } = 16;
    public int InChans { get; init; } = 3;
    public int EmbedDim { get; init; } = 768;
    public int Depth { get; init; } = 12;
    public int NumHeads { get; init; } = 12;
    public double MlpRatio { get; init; } = 4.0;
    public int OutChans { get; init; } = 256;
    public bool QkvBias { get; init; } = true;
    public bool UseAbsPos { get; init; } = true;
    public bool UseRelPos { get; init; } = true;
    public int WindowSize { get; init; } = 14;
    public IReadOnlyList<int> GlobalAttnIndexes { get; init; } = [2, 5, 8, 11];
    /// <summary>build_sam.py builds the encoder with partial(nn.LayerNorm, eps=1e-6).</summary>
    public double LayerNormEps { get; init; } = 1e-6;

    public void Validate()
    {
        if (ImgSize <= 0 || PatchSize <= 0 || ImgSize % PatchSize != 0)
            throw new ArgumentException($"img_size ({ImgSize}) must be a positive multiple of patch_size ({PatchSize}).");
        if (EmbedDim <= 0 || NumHeads <= 0 || EmbedDim % NumHeads != 0)
            throw new ArgumentException($"num_heads ({NumHeads}) must divide embed_dim ({EmbedDim}).");
        if (Depth <= 0 || OutChans <= 0 || InChans <= 0 || WindowSize < 0 || MlpRatio <= 0)
            throw new ArgumentException("depth, out_chans, in_chans and mlp_ratio must be positive and window_size ≥ 0.");
        if (GlobalAttnIndexes.Any(i => i < 0 || i >= Depth))
            throw new ArgumentException($"global_attn_indexes [{string.Join(", ", GlobalAttnIndexes)}] must lie in [0, {Depth}).");
    }
}

/// <summary>
/// Constructor arguments of SAM's <see cref="PromptEncoder"/> and <see cref="MaskDecoder"/> (official build_sam.py
/// values by default). The image embedding size is free: UINO runs the decoder on 37×37 DINOv2 grids (input 518).
/// </summary>
internal sealed record SamDecoderConfig
{
    public int EmbedDim { get; init; } = 256;
    public int ImageEmbeddingSize { get; init; } = 64;
    public int InputImageSize { get; init; } = 1024;
    public int MaskInChans { get; init; } = 16;
    public int NumMultimaskOutputs { get; init; } = 3;
    public int TransformerDepth { get; init; } = 2;
    public int MlpDim { get; init; } = 2048;
    public int NumHeads { get; init; } = 8;
    public int IouHeadDepth { get; init; } = 3;
    public int IouHeadHiddenDim { get; init; } = 256;

    /// <summary>The official decoder settings on an arbitrary square image embedding (e.g. 37 for a 518 input).</summary>
    public static SamDecoderConfig ForEmbedding(int imageEmbeddingSize, int inputImageSize) =>
        new() { ImageEmbeddingSize = imageEmbeddingSize, InputImageSize = inputImageSize };

    public void Validate()
    {
        if (EmbedDim <= 0 || EmbedDim % 16 != 0)
            throw new ArgumentException($"embed_dim ({EmbedDim}) must be a positive multiple of 16 (halved by the PE, /8 by the upscaler, /2 per head group).");
        if (ImageEmbeddingSize <= 0 || InputImageSize <= 0)
            throw new ArgumentException($"image_embedding_size ({ImageEmbeddingSize}) and input_image_size ({InputImageSize}) must be positive.");
        if (NumMultimaskOutputs < 1 || TransformerDepth < 1 || IouHeadDepth < 1 || MlpDim <= 0 || IouHeadHiddenDim <= 0)
            throw new ArgumentException("num_multimask_outputs, transformer_depth, iou_head_depth, mlp_dim and iou_head_hidden_dim must be positive.");
        if (NumHeads <= 0 || (EmbedDim / 2) % NumHeads != 0)
            throw new ArgumentException($"num_heads ({NumHeads}) must divide embed_dim / 2 ({EmbedDim / 2}) for the downsampled cross attention.");
    }
}

/// <summary>A whole SAM model's configuration; <see cref="Preset"/> gives the official sam_vit_b/l/h.</summary>
internal sealed record SamConfig(SamEncoderConfig Encoder, SamDecoderConfig Decoder)
{
    /// <summary>build_sam.py's pixel normalisation (RGB, 0–255 scale); not part of the checkpoint.</summary>
    public static IReadOnlyList<float> PixelMean { get; } = [123.675f, 116.28f, 103.53f];
    public static IReadOnlyList<float> PixelStd { get; } = [58.395f, 57.12f, 57.375f];

    public static SamConfig VitB { get; } = Build(768, 12, 12, [2, 5, 8, 11]);
    public static SamConfig VitL { get; } = Build(1024, 24, 16, [5, 11, 17, 23]);
    public static SamConfig VitH { get; } = Build(1280, 32, 16, [7, 15, 23, 31]);

    /// <summary>The preset by its official name: sam_vit_b, sam_vit_l, sam_vit_h (also vit_b, … and "default" = vit_h).</summary>
    public static SamConfig Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sam_vit_b" or "vit_b" => VitB,
        "sam_vit_l" or "vit_l" => VitL,
        "sam_vit_h" or "vit_h" or "default" => VitH,
        _ => throw new ArgumentException($"Unknown SAM preset '{name}'; expected sam_vit_b, sam_vit_l or sam_vit_h.", nameof(name)),
    };

    // build_sam._build_sam: prompt_embed_dim 256, image 1024, patch 16 (→ 64×64 embedding), window 14, mask_in_chans 16.
    private static SamConfig Build(int embedDim, int depth, int heads, int[] globalAttn) => new(
        new SamEncoderConfig
        {
            ImgSize = 1024, PatchSize = 16, EmbedDim = embedDim, Depth = depth, NumHeads = heads, MlpRatio = 4,
            OutChans = 256, QkvBias = true, UseRelPos = true, WindowSize = 14, GlobalAttnIndexes = globalAttn, LayerNormEps = 1e-6,
        },
        new SamDecoderConfig { EmbedDim = 256, ImageEmbeddingSize = 1024 / 16, InputImageSize = 1024 });
}
