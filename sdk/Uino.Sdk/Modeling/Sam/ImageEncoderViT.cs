using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// SAM's ViT image encoder (image_encoder.ImageEncoderViT, from ViTDet): patch embedding + absolute position
/// embedding, windowed/global blocks with relative position bias, and the conv neck to out_chans. B×3×S×S images
/// (normalised, padded to img_size) → B×out_chans×S/16×S/16.
/// </summary>
internal sealed class ImageEncoderViT : nn.Module<Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (image_encoder.patch_embed.*, pos_embed, blocks.N.*, neck.N.*).
    private readonly PatchEmbed patch_embed;
    private readonly Parameter? pos_embed;
    private readonly ModuleList<Block> blocks;
    private readonly Sequential neck;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(ImageEncoderViT))]
    public ImageEncoderViT(SamEncoderConfig config, Device? device = null) : base(nameof(ImageEncoderViT))
    {
        config.Validate();
        Config = config;
        var grid = config.ImgSize / config.PatchSize;
        patch_embed = new PatchEmbed(config.PatchSize, config.InChans, config.EmbedDim, device);
        if (config.UseAbsPos)
            pos_embed = Layers.Parameter(zeros(1, grid, grid, config.EmbedDim, device: device)); // at the pretraining image size
        blocks = new ModuleList<Block>();
        for (int i = 0; i < config.Depth; i++)
            blocks.Add(new Block(config.EmbedDim, config.NumHeads, config.MlpRatio, config.QkvBias, config.UseRelPos,
                                 config.GlobalAttnIndexes.Contains(i) ? 0 : config.WindowSize, (grid, grid), config.LayerNormEps, device));
        neck = nn.Sequential(
            Layers.Conv2d(config.EmbedDim, config.OutChans, kernel_size: 1, bias: false, device: device),
            new LayerNorm2d(config.OutChans, device: device),
            Layers.Conv2d(config.OutChans, config.OutChans, kernel_size: 3, padding: 1, bias: false, device: device),
            new LayerNorm2d(config.OutChans, device: device));
        RegisterComponents();
    }

    public SamEncoderConfig Config { get; }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Config.InChans || x.shape[2] != Config.ImgSize || x.shape[3] != Config.ImgSize)
            throw new ArgumentException(
                $"The SAM image encoder expects B×{Config.InChans}×{Config.ImgSize}×{Config.ImgSize} images (pad to img_size as SAM does), got [{string.Join(", ", x.shape)}].",
                nameof(x));
        using var scope = NewDisposeScope();
        var t = patch_embed.forward(x);
        if (pos_embed is not null) t = t.Plus(pos_embed);
        foreach (var blk in blocks)
        {
            var next = blk.forward(t);
            t.Dispose(); // the encoder's activations are large (64×64×1280 per image for ViT-H): free them early
            t = next;
        }
        return neck.forward(t.permute(0, 3, 1, 2)).MoveToOuterDisposeScope();
    }
}
