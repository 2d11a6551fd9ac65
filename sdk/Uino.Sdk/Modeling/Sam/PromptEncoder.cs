using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// SAM's prompt encoder (prompt_encoder.PromptEncoder): points and boxes → sparse B×N×C tokens, a low-res mask
/// (4× the embedding size) → dense B×C×h×w, or the learned no-mask embedding when no mask is given.
/// </summary>
internal sealed class PromptEncoder : nn.Module
{
    // Field names mirror the official checkpoint keys (prompt_encoder.pe_layer.*, point_embeddings.N.*, …).
    private readonly PositionEmbeddingRandom pe_layer;
    private readonly ModuleList<Embedding> point_embeddings;
    private readonly Embedding not_a_point_embed;
    private readonly Sequential mask_downscaling;
    private readonly Embedding no_mask_embed;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(PromptEncoder))]
    public PromptEncoder(long embedDim, (long H, long W) imageEmbeddingSize, (long H, long W) inputImageSize, long maskInChans,
                         Device? device = null)
        : base(nameof(PromptEncoder))
    {
        if (embedDim % 2 != 0) throw new ArgumentException($"embed_dim must be even, got {embedDim}.", nameof(embedDim));
        if (maskInChans % 4 != 0 || maskInChans <= 0)
            throw new ArgumentException($"mask_in_chans must be a positive multiple of 4, got {maskInChans}.", nameof(maskInChans));
        EmbedDim = embedDim;
        ImageEmbeddingSize = imageEmbeddingSize;
        InputImageSize = inputImageSize;
        pe_layer = new PositionEmbeddingRandom(embedDim / 2, device: device);
        // pos/neg point + 2 box corners, as in the official num_point_embeddings = 4.
        point_embeddings = new ModuleList<Embedding>();
        for (int i = 0; i < 4; i++) point_embeddings.Add(Layers.Embedding(1, embedDim, device));
        not_a_point_embed = Layers.Embedding(1, embedDim, device);
        mask_downscaling = nn.Sequential(
            Layers.Conv2d(1, maskInChans / 4, kernel_size: 2, stride: 2, device: device),
            new LayerNorm2d(maskInChans / 4, device: device),
            nn.GELU(),
            Layers.Conv2d(maskInChans / 4, maskInChans, kernel_size: 2, stride: 2, device: device),
            new LayerNorm2d(maskInChans, device: device),
            nn.GELU(),
            Layers.Conv2d(maskInChans, embedDim, kernel_size: 1, device: device));
        no_mask_embed = Layers.Embedding(1, embedDim, device);
        RegisterComponents();
    }

    public long EmbedDim { get; }
    public (long H, long W) ImageEmbeddingSize { get; }
    public (long H, long W) InputImageSize { get; }
    /// <summary>The mask prompt size the encoder accepts: 4× the image embedding size (official mask_input_size).</summary>
    public (long H, long W) MaskInputSize => (4 * ImageEmbeddingSize.H, 4 * ImageEmbeddingSize.W);

    /// <summary>Positional encoding of the image embedding grid: 1×C×h×w (official get_dense_pe).</summary>
    public Tensor GetDensePe() => pe_layer.Forward(ImageEmbeddingSize.H, ImageEmbeddingSize.W).unsqueeze(0);

    /// <summary>
    /// Embeds the prompts (official forward). <paramref name="points"/>: (B×N×2 pixel coords of the input image,
    /// B×N labels: 1 foreground, 0 background, −1 padding); <paramref name="boxes"/>: B×4 (x0, y0, x1, y1) or
    /// B×1×4; <paramref name="masks"/>: B×1×4h×4w logits. Returns sparse B×N'×C and dense B×C×h×w.
    /// </summary>
    public (Tensor Sparse, Tensor Dense) Forward((Tensor Coords, Tensor Labels)? points, Tensor? boxes, Tensor? masks)
    {
        Validate(points, boxes, masks);
        using var scope = NewDisposeScope();
        long bs = points is { } p0 ? p0.Coords.shape[0] : boxes is not null ? boxes.shape[0] : masks is not null ? masks.shape[0] : 1;
        var device = no_mask_embed.weight!.device;
        var parts = new List<Tensor>();
        // Official: pad with a not-a-point token only when no box follows the points.
        if (points is { } p) parts.Add(EmbedPoints(p.Coords, p.Labels, pad: boxes is null));
        if (boxes is not null) parts.Add(EmbedBoxes(boxes));
        var sparse = parts.Count switch
        {
            0 => empty(bs, 0, EmbedDim, device: device),
            1 => parts[0],
            _ => cat(parts, 1),
        };
        var dense = masks is not null
            ? mask_downscaling.forward(masks)
            : no_mask_embed.weight!.reshape(1, -1, 1, 1).expand(bs, -1, ImageEmbeddingSize.H, ImageEmbeddingSize.W);
        return (sparse.MoveToOuterDisposeScope(), dense.MoveToOuterDisposeScope());
    }

    // Point labels as rooted Scalars (see ScalarOps): −1 padding / not a point, 0 negative, 1 positive.
    private static readonly Scalar NotAPoint = (-1L).ToScalar(), Negative = 0L.ToScalar(), Positive = 1L.ToScalar();

    private Tensor EmbedPoints(Tensor coords, Tensor labels, bool pad)
    {
        var points = coords.to(ScalarType.Float32).Plus(0.5); // shift to the pixel centre
        var lbl = labels;
        if (pad)
        {
            // The padding point sits at (0, 0) after the shift, label −1, exactly as the official code appends it.
            points = cat([points, zeros(points.shape[0], 1, 2, device: points.device)], 1);
            lbl = cat([labels.to(ScalarType.Int64), full(labels.shape[0], 1, NotAPoint, dtype: ScalarType.Int64, device: labels.device)], 1);
        }
        lbl = lbl.to(ScalarType.Int64).unsqueeze(-1);
        var emb = pe_layer.ForwardWithCoords(points, InputImageSize.H, InputImageSize.W);
        // −1: replaced by not_a_point_embed; 0/1: neg/pos embedding added; any other label keeps the bare PE.
        emb = where(lbl.eq(NotAPoint), not_a_point_embed.weight!.expand_as(emb), emb);
        emb = emb.Plus(lbl.eq(Negative).to(emb.dtype) * point_embeddings[0].weight!);
        emb = emb.Plus(lbl.eq(Positive).to(emb.dtype) * point_embeddings[1].weight!);
        return emb;
    }

    private Tensor EmbedBoxes(Tensor boxes)
    {
        var coords = boxes.to(ScalarType.Float32).Plus(0.5).reshape(-1, 2, 2);
        var emb = pe_layer.ForwardWithCoords(coords, InputImageSize.H, InputImageSize.W);
        var corners = cat([point_embeddings[2].weight!, point_embeddings[3].weight!], 0); // 2×C: top-left, bottom-right
        return emb.Plus(corners);
    }

    private void Validate((Tensor Coords, Tensor Labels)? points, Tensor? boxes, Tensor? masks)
    {
        if (points is { } p)
        {
            if (p.Coords.dim() != 3 || p.Coords.shape[2] != 2)
                throw new ArgumentException($"Point coordinates must be B×N×2, got [{Shape(p.Coords)}].", nameof(points));
            if (p.Labels.dim() != 2 || p.Labels.shape[0] != p.Coords.shape[0] || p.Labels.shape[1] != p.Coords.shape[1])
                throw new ArgumentException($"Point labels must be B×N matching the coordinates [{Shape(p.Coords)}], got [{Shape(p.Labels)}].", nameof(points));
        }
        if (boxes is not null)
        {
            if (boxes.shape[^1] != 4 || boxes.dim() is not (2 or 3) || (boxes.dim() == 3 && boxes.shape[1] != 1))
                throw new ArgumentException($"Boxes must be B×4 or B×1×4, got [{Shape(boxes)}].", nameof(boxes));
            if (points is { } pb && pb.Coords.shape[0] != boxes.shape[0])
                throw new ArgumentException($"Points (batch {pb.Coords.shape[0]}) and boxes (batch {boxes.shape[0]}) disagree on the batch size.", nameof(boxes));
        }
        if (masks is not null)
        {
            var (mh, mw) = MaskInputSize;
            if (masks.dim() != 4 || masks.shape[1] != 1 || masks.shape[2] != mh || masks.shape[3] != mw)
                throw new ArgumentException(
                    $"Mask prompts must be B×1×{mh}×{mw} (4× the {ImageEmbeddingSize.H}×{ImageEmbeddingSize.W} image embedding), got [{Shape(masks)}].",
                    nameof(masks));
            long bs = points is { } pm ? pm.Coords.shape[0] : boxes?.shape[0] ?? masks.shape[0];
            if (masks.shape[0] != bs)
                throw new ArgumentException($"Mask prompts have batch {masks.shape[0]}, the point/box prompts {bs}.", nameof(masks));
        }
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
