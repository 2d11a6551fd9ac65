using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// DINOv2 backbone, faithful to facebookresearch/dinov2 dinov2/models/vision_transformer.py with block_chunks = 0:
/// its state_dict keys are the official checkpoint keys (cls_token, pos_embed, register_tokens, mask_token,
/// patch_embed.*, blocks.N.*, norm.*). <see cref="nn.Module{T, TResult}.forward"/> returns the normed class token,
/// as the official <c>forward</c> at inference (head is Identity).
/// </summary>
internal sealed class DinoVisionTransformer : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys.
    public readonly PatchEmbed patch_embed;
    public readonly Parameter cls_token;
    public readonly Parameter pos_embed;
    public readonly Parameter? register_tokens;
    public readonly ModuleList<Block> blocks;
    public readonly LayerNorm norm;
    public readonly Parameter mask_token;
#pragma warning restore IDE1006

    public Dinov2Config Config { get; }

    /// <summary>Number of transformer blocks (block indices are 0 … NumBlocks − 1).</summary>
    public int NumBlocks => Config.Depth;

    public int EmbedDim => Config.EmbedDim;
    public int PatchSize => Config.PatchSize;
    public int NumRegisterTokens => Config.NumRegisterTokens;

    /// <param name="config">Architecture (see <see cref="Dinov2Config"/> presets).</param>
    /// <param name="device">Where to allocate the weights (default CPU); <c>meta</c> builds the key/shape layout only.</param>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(DinoVisionTransformer))]
    public DinoVisionTransformer(Dinov2Config config, Device? device = null) : base(nameof(DinoVisionTransformer))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.BlockChunks != 0)
            throw new ArgumentException(
                $"block_chunks = {config.BlockChunks} is not supported: the released DINOv2 checkpoints use block_chunks = 0 (blocks.N.* keys).");
        if (config.Depth <= 0 || config.EmbedDim <= 0 || config.PatchSize <= 0 || config.ImgSize < config.PatchSize)
            throw new ArgumentException($"Invalid DINOv2 config {config}.");
        if (config.NumRegisterTokens < 0)
            throw new ArgumentException($"num_register_tokens must be ≥ 0, got {config.NumRegisterTokens}.");
        Config = config;
        long dim = config.EmbedDim;

        patch_embed = new PatchEmbed(config.ImgSize, config.PatchSize, config.InChans, dim, device);
        cls_token = Layers.Parameter(zeros(1, 1, dim, device: device));
        pos_embed = Layers.Parameter(zeros(1, patch_embed.NumPatches + 1, dim, device: device));
        // Official: register_tokens exists only when num_register_tokens > 0 (no key otherwise).
        register_tokens = config.NumRegisterTokens > 0 ? Layers.Parameter(zeros(1, config.NumRegisterTokens, dim, device: device)) : null;
        blocks = new ModuleList<Block>();
        for (var i = 0; i < config.Depth; i++)
            blocks.Add(new Block(dim, config.NumHeads, config.MlpRatio, config.QkvBias, config.ProjBias, config.FfnBias, config.InitValues, device));
        norm = Layers.LayerNorm(dim, eps: 1e-6, device: device);
        mask_token = Layers.Parameter(zeros(1, dim, device: device));
        InitWeights();
        RegisterComponents();
    }

    /// <summary>Normed class token (the official inference <c>forward</c>), B×C.</summary>
    public override Tensor forward(Tensor images)
    {
        using var f = ForwardFeatures(images);
        return f.ClsToken.alias();
    }

    /// <summary>
    /// The official <c>forward_features</c>: all blocks, then the final LayerNorm; plus the raw patch tokens of
    /// the blocks in <paramref name="rawBlocks"/> (0-based) as B×C×h×w.
    /// </summary>
    /// <param name="images">B×3×H×W, H and W multiples of the patch size.</param>
    /// <param name="rawBlocks">Blocks whose raw (un-normed) outputs to return; may be null or empty.</param>
    /// <param name="masks">Optional B×(h·w) bool: patches replaced by mask_token (official masked tokens).</param>
    public Dinov2Features ForwardFeatures(Tensor images, IReadOnlyList<int>? rawBlocks = null, Tensor? masks = null)
    {
        rawBlocks ??= [];
        var (b, h, w) = CheckImages(images);
        CheckBlocks(rawBlocks);
        using var scope = NewDisposeScope();
        var (x, taken) = RunBlocks(images, masks, rawBlocks, NumBlocks - 1, b, h, w);
        var xn = norm.call(x);
        var r = NumRegisterTokens;
        var cls = xn.select(1, 0);
        var regs = xn.narrow(1, 1, r);
        var patches = ToGrid(xn, b, h, w);
        var blockOuts = rawBlocks.Select(i => taken[i].MoveToOuterDisposeScope()).ToList();
        return new Dinov2Features(cls.MoveToOuterDisposeScope(), patches.MoveToOuterDisposeScope(),
                                  regs.MoveToOuterDisposeScope(), blockOuts);
    }

    /// <summary>
    /// Raw outputs (no final norm) of the blocks in <paramref name="blockIndices"/> (0-based), patch tokens only,
    /// each B×C×h×w, in request order. Only blocks 0 … max(index) run: later blocks are skipped entirely.
    /// </summary>
    public IReadOnlyList<Tensor> GetIntermediateLayers(Tensor images, IReadOnlyList<int> blockIndices)
    {
        ArgumentNullException.ThrowIfNull(blockIndices);
        if (blockIndices.Count == 0) throw new ArgumentException("Ask for at least one block.", nameof(blockIndices));
        var (b, h, w) = CheckImages(images);
        CheckBlocks(blockIndices);
        using var scope = NewDisposeScope();
        var (_, taken) = RunBlocks(images, null, blockIndices, blockIndices.Max(), b, h, w);
        return blockIndices.Select(i => taken[i].MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>The official <c>prepare_tokens_with_masks</c>: [cls, registers, patches] + position embeddings.</summary>
    internal Tensor PrepareTokens(Tensor images, Tensor? masks)
    {
        using var scope = NewDisposeScope();
        long height = images.shape[2], width = images.shape[3];
        var x = patch_embed.call(images);
        if (masks is not null)
        {
            if (masks.dtype != ScalarType.Bool || masks.dim() != 2 || masks.shape[0] != x.shape[0] || masks.shape[1] != x.shape[1])
                throw new ArgumentException(
                    $"masks must be bool [{x.shape[0]}, {x.shape[1]}], got {masks.dtype} [{string.Join(", ", masks.shape)}].", nameof(masks));
            x = where(masks.unsqueeze(-1), mask_token.to(x.dtype).unsqueeze(0), x);
        }
        x = cat([cls_token.expand(x.shape[0], -1, -1), x], 1);
        x = x.Plus(InterpolatePosEncoding(x, height, width));
        // Official order: registers go in after the position embedding is added (they get none).
        if (register_tokens is not null)
            x = cat([x.narrow(1, 0, 1), register_tokens.expand(x.shape[0], -1, -1), x.narrow(1, 1, x.shape[1] - 1)], 1);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The official <c>interpolate_pos_encoding</c>. As there, "w" is the height (dim 2) and "h" the width: the
    /// table is returned as is when the token count matches and the image is square; otherwise bicubic, with
    /// scale_factor ((h0 + offset) / M, (w0 + offset) / M) passed on to the kernel when the offset is non-zero
    /// (the output size is then floor(M·scale), and the kernel samples with 1/scale), else an explicit size.
    /// </summary>
    internal Tensor InterpolatePosEncoding(Tensor x, long w, long h)
    {
        var npatch = x.shape[1] - 1;
        var n = pos_embed.shape[1] - 1;
        if (npatch == n && w == h) return pos_embed.alias();
        using var scope = NewDisposeScope();
        var previousDtype = x.dtype;
        var pos = pos_embed.to(ScalarType.Float32);
        var classPos = pos.select(1, 0);
        var patchPos = pos.narrow(1, 1, n);
        var dim = x.shape[2];
        long w0 = w / PatchSize, h0 = h / PatchSize;
        var m = (long)Math.Sqrt(n);
        if (m * m != n) throw new InvalidOperationException($"pos_embed holds {n} patch positions, not a square grid.");
        var grid = patchPos.reshape(1, m, m, dim).permute(0, 3, 1, 2);
        Tensor resized;
        var offset = Config.InterpolateOffset;
        if (offset != 0)
        {
            // Historical DINO kludge kept for checkpoint compatibility (dino issue #8): float(w0 + offset) / M.
            double sx = (w0 + offset) / m, sy = (h0 + offset) / m;
            resized = nn.functional.interpolate(grid, scale_factor: [sx, sy], mode: InterpolationMode.Bicubic,
                                                 align_corners: false, recompute_scale_factor: false,
                                                 antialias: Config.InterpolateAntialias);
        }
        else
        {
            resized = nn.functional.interpolate(grid, size: [w0, h0], mode: InterpolationMode.Bicubic,
                                                 align_corners: false, antialias: Config.InterpolateAntialias);
        }
        if (resized.shape[2] != w0 || resized.shape[3] != h0)
            throw new InvalidOperationException(
                $"Position-embedding interpolation gave a {resized.shape[2]}×{resized.shape[3]} grid, expected {w0}×{h0}.");
        var patchOut = resized.permute(0, 2, 3, 1).reshape(1, -1, dim);
        return cat([classPos.unsqueeze(0), patchOut], 1).to(previousDtype).MoveToOuterDisposeScope();
    }

    // Runs blocks 0..last, keeping the patch grids of the wanted ones; returns the last raw token tensor too.
    private (Tensor X, Dictionary<int, Tensor> Taken) RunBlocks(Tensor images, Tensor? masks, IReadOnlyList<int> wanted,
                                                               int last, long b, long h, long w)
    {
        var want = wanted.ToHashSet();
        var taken = new Dictionary<int, Tensor>();
        var x = PrepareTokens(images, masks);
        for (var i = 0; i <= last; i++)
        {
            var next = blocks[i].call(x);
            x.Dispose(); // free each block's input right away: peak memory stays at ~one block
            x = next;
            if (want.Contains(i)) taken[i] = ToGrid(x, b, h, w);
        }
        return (x, taken);
    }

    // Patch tokens (after cls and registers) of B×(1+R+h·w)×C as a contiguous B×C×h×w image.
    private Tensor ToGrid(Tensor tokens, long b, long h, long w) =>
        tokens.narrow(1, 1 + NumRegisterTokens, h * w).reshape(b, h, w, tokens.shape[2]).permute(0, 3, 1, 2).contiguous();

    private (long B, long H, long W) CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != Config.InChans)
            throw new ArgumentException(
                $"DINOv2 expects B×{Config.InChans}×H×W images, got [{string.Join(", ", images.shape)}].", nameof(images));
        long height = images.shape[2], width = images.shape[3];
        if (height <= 0 || width <= 0 || height % PatchSize != 0 || width % PatchSize != 0)
            throw new ArgumentException(
                $"Image height and width must be positive multiples of the patch size {PatchSize}, got {height}×{width}.", nameof(images));
        if (!images.is_floating_point())
            throw new ArgumentException($"DINOv2 expects floating-point images, got {images.dtype}.", nameof(images));
        return (images.shape[0], height / PatchSize, width / PatchSize);
    }

    private void CheckBlocks(IReadOnlyList<int> indices)
    {
        foreach (var i in indices)
            if (i < 0 || i >= NumBlocks)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"Block index must be in 0 … {NumBlocks - 1}.");
    }

    // The official init_weights: pos_embed trunc_normal(0.02), cls/register tokens normal(1e-6), every Linear
    // trunc_normal(0.02) with zero bias (timm's ViT init). The patch conv keeps PyTorch's default init, as there.
    private void InitWeights()
    {
        using var _ = no_grad();
        TruncNormal.Fill(pos_embed, std: 0.02);
        nn.init.normal_(cls_token, std: 1e-6);
        if (register_tokens is not null) nn.init.normal_(register_tokens, std: 1e-6);
        foreach (var block in blocks)
            foreach (var linear in new[] { block.attn.qkv, block.attn.proj, block.mlp.fc1, block.mlp.fc2 })
            {
                TruncNormal.Fill(linear.weight!, std: 0.02);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
    }
}
