namespace Uino.Modeling.Dinov2;

/// <summary>
/// Constructor arguments of the official <c>DinoVisionTransformer</c> (facebookresearch/dinov2), with the hub
/// presets of dinov2/hub/backbones.py: img_size 518, patch 14, LayerScale init 1.0, MLP FFN, block_chunks 0.
/// </summary>
/// <param name="Name">Preset name (<c>vitb14</c>, <c>vitb14_reg4</c>, ...) or a free label.</param>
/// <param name="EmbedDim">Token width C.</param>
/// <param name="Depth">Number of transformer blocks.</param>
/// <param name="NumHeads">Attention heads; must divide <paramref name="EmbedDim"/>.</param>
/// <param name="ImgSize">Training resolution; sets the pos_embed grid (img_size / patch_size)².</param>
/// <param name="PatchSize">Patch side in pixels; inputs must be multiples of it.</param>
/// <param name="InChans">Image channels.</param>
/// <param name="MlpRatio">FFN hidden width / C.</param>
/// <param name="QkvBias">Bias on the qkv projection.</param>
/// <param name="ProjBias">Bias on the attention output projection.</param>
/// <param name="FfnBias">Bias on the FFN layers.</param>
/// <param name="InitValues">LayerScale init; null or 0 means no LayerScale (official Identity).</param>
/// <param name="BlockChunks">Official FSDP chunking; only 0 (flat <c>blocks.N</c> keys, as in the released checkpoints) is supported.</param>
/// <param name="NumRegisterTokens">Register tokens inserted after the class token.</param>
/// <param name="InterpolateAntialias">Antialiased bicubic pos_embed interpolation.</param>
/// <param name="InterpolateOffset">Official scale-factor offset; 0 interpolates to an explicit output size.</param>
public sealed record Dinov2Config(
    string Name,
    int EmbedDim,
    int Depth,
    int NumHeads,
    int ImgSize = 518,
    int PatchSize = 14,
    int InChans = 3,
    double MlpRatio = 4.0,
    bool QkvBias = true,
    bool ProjBias = true,
    bool FfnBias = true,
    double? InitValues = 1.0,
    int BlockChunks = 0,
    int NumRegisterTokens = 0,
    bool InterpolateAntialias = false,
    double InterpolateOffset = 0.1)
{
    /// <summary>DINOv2 ViT-S/14 (hub <c>dinov2_vits14</c>).</summary>
    public static Dinov2Config Vits14 { get; } = new("vits14", 384, 12, 6);

    /// <summary>DINOv2 ViT-B/14 (hub <c>dinov2_vitb14</c>).</summary>
    public static Dinov2Config Vitb14 { get; } = new("vitb14", 768, 12, 12);

    /// <summary>DINOv2 ViT-L/14 (hub <c>dinov2_vitl14</c>).</summary>
    public static Dinov2Config Vitl14 { get; } = new("vitl14", 1024, 24, 16);

    /// <summary>ViT-S/14 with 4 registers (hub <c>dinov2_vits14_reg</c>): antialias on, offset 0.</summary>
    public static Dinov2Config Vits14Reg4 { get; } = WithRegisters(Vits14);

    /// <summary>ViT-B/14 with 4 registers (hub <c>dinov2_vitb14_reg</c>): antialias on, offset 0.</summary>
    public static Dinov2Config Vitb14Reg4 { get; } = WithRegisters(Vitb14);

    /// <summary>ViT-L/14 with 4 registers (hub <c>dinov2_vitl14_reg</c>): antialias on, offset 0.</summary>
    public static Dinov2Config Vitl14Reg4 { get; } = WithRegisters(Vitl14);

    /// <summary>Every preset, by <see cref="Name"/>.</summary>
    public static IReadOnlyList<Dinov2Config> Presets { get; } = [Vits14, Vitb14, Vitl14, Vits14Reg4, Vitb14Reg4, Vitl14Reg4];

    /// <summary>
    /// The official released checkpoint file of this preset, e.g. <c>dinov2_vitb14_pretrain.pth</c> or
    /// <c>dinov2_vitb14_reg4_pretrain.pth</c> (dinov2/hub/utils.py naming).
    /// </summary>
    public string CheckpointFileName => $"dinov2_{Name}_pretrain.pth";

    /// <summary>Patch grid of an input of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
    public (int H, int W) PatchGrid(int height, int width) => (height / PatchSize, width / PatchSize);

    /// <summary>
    /// The preset named <paramref name="name"/>: <c>vitb14</c>, <c>dinov2_vitb14</c>, <c>vitb14_reg4</c>,
    /// <c>dinov2_vitb14_reg</c> (hub name) and the checkpoint file name are all accepted, case-insensitively.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the presets.</exception>
    public static Dinov2Config FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        if (key.EndsWith(".pth", StringComparison.Ordinal)) key = key[..^4];
        if (key.EndsWith("_pretrain", StringComparison.Ordinal)) key = key[..^"_pretrain".Length];
        if (key.StartsWith("dinov2_", StringComparison.Ordinal)) key = key["dinov2_".Length..];
        if (key.EndsWith("_reg", StringComparison.Ordinal)) key += "4";
        return Presets.FirstOrDefault(p => p.Name == key)
               ?? throw new ArgumentException(
                   $"Unknown DINOv2 model '{name}'. Known: {string.Join(", ", Presets.Select(p => p.Name))}.", nameof(name));
    }

    // dinov2/hub/backbones.py *_reg: num_register_tokens=4, interpolate_antialias=True, interpolate_offset=0.0.
    private static Dinov2Config WithRegisters(Dinov2Config c) => c with
    {
        Name = c.Name + "_reg4",
        NumRegisterTokens = 4,
        InterpolateAntialias = true,
        InterpolateOffset = 0.0,
    };
}
