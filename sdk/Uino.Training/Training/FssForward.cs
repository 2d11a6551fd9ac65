using Uino.Modeling;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// The training forward pass. Stage 2 proper (encoder and adapter frozen) is exactly
/// <see cref="UinoFss.EncodeReference"/> + <see cref="UinoFss.Segment"/>. The <c>--from-scratch</c> demo mode must
/// back-propagate into the encoder and the adapter, which those methods run without a graph, so it replays the same
/// computation here step for step (same modules, same order) with gradients on. A test checks that both paths give
/// the same output.
/// </summary>
internal static class FssForward
{
    /// <summary>
    /// Segments <paramref name="queryImages"/> B×3×S×S against support images B×K×3×S×S with masks B×K×S×S.
    /// <paramref name="throughEncoder"/>: gradients flow into the encoder and the adapter (the from-scratch mode).
    /// <paramref name="pcsPrior"/>: ablation — the Mamba dense prompt is replaced by the prototype-cosine prior (the
    /// Comp variants' dense prompt) on a full/cp4d model, everything else as trained.
    /// <paramref name="svpKeep"/>: training only — B×1×1 of 0/1 that multiplies each episode's SVP token (0 drops it,
    /// so the decoder must segment from the dense prompt alone; <c>--svp-dropout</c>).
    /// </summary>
    public static UinoFssOutput Run(UinoFss model, Tensor supportImages, Tensor supportMasks, Tensor queryImages, bool throughEncoder,
                                    bool pcsPrior = false, Tensor? svpKeep = null)
    {
        if (!throughEncoder && !pcsPrior && svpKeep is null)
        {
            using var reference = model.EncodeReference(supportImages, supportMasks);
            return model.Segment(queryImages, reference);
        }
        using var scope = NewDisposeScope();
        var cfg = model.Config;
        long bs = supportImages.shape[0], k = supportImages.shape[1];

        // Reference side (EncodeReference).
        var (_, sLast) = Encode(model, supportImages.flatten(0, 1), withLow: false);
        long h = sLast[0].shape[2], w = sLast[0].shape[3];
        var masks = Prototypes.ToFeatureGrid(supportMasks.flatten(0, 1), h, w);
        Tensor Episodes(Tensor t) => t.reshape(bs, k, t.shape[1], t.shape[2], t.shape[3]);
        var sparse = model.Svp.call(Episodes(sLast[^1]), Episodes(masks));
        if (svpKeep is not null) sparse = sparse * svpKeep;
        var pooled = new List<Tensor>();
        Tensor? meanFg = null, prototype = null;
        bool mamba = model.HasDensePromptGenerator && !pcsPrior;
        if (mamba)
        {
            long grid = cfg.SupportGrid == 0 ? h : cfg.SupportGrid;
            for (int i = 0; i < sLast.Length; i++)
            {
                var (fg, bg) = ContrastiveEnhancement.SupportSides(sLast[i], masks);
                pooled.Add(cfg.SupportGrid == 0 ? Episodes(fg - bg) : ContrastiveEnhancement.PooledDifference(Episodes(fg), Episodes(bg), grid));
                if (i == sLast.Length - 1) meanFg = ContrastiveEnhancement.MeanForeground(Episodes(fg));
            }
        }
        else
        {
            prototype = PrototypeCosinePrompt.Prototype(Episodes(sLast[^1]), Episodes(masks));
        }

        // Query side (Segment).
        var (low, last) = Encode(model, queryImages, withLow: true);
        long b = queryImages.shape[0];
        var (mh, mw) = model.PromptEncoder.MaskInputSize;
        var embedding = model.Adapter.call(low!);
        Tensor? priorLogits = null;
        Tensor maskInput;
        if (mamba)
        {
            long hq = last[0].shape[2], wq = last[0].shape[3];
            var volumes = last.Select((q, i) => ContrastiveEnhancement.PooledVolume(q, pooled[i])).ToArray();
            var v = stack(volumes, 2);
            v = v.reshape(b * k, v.shape[2], hq, wq, v.shape[5], v.shape[6]);
            var refined = model.Mhcm!.call(v);
            var refined2d = refined.mean(new long[] { 4, 5 }).reshape(b, k, -1, hq, wq).mean(new long[] { 1 });
            var raw2d = ContrastiveEnhancement.MeanForegroundCorrelation(last[^1], meanFg!).mean(new long[] { 1 }, keepdim: true);
            priorLogits = model.DenseHead!.call(refined2d.Plus(raw2d), mh, mw);
            maskInput = sigmoid(priorLogits);
        }
        else
        {
            maskInput = PrototypeCosinePrompt.Prior(last[^1], prototype!, mh, mw);
        }
        var (noSparse, dense) = model.PromptEncoder.Forward(null, null, maskInput);
        var sparseAll = cat(new[] { noSparse, sparse.expand(b, -1, -1) }, 1);
        var (lowRes, iou) = model.MaskDecoder.Forward(embedding, model.PromptEncoder.GetDensePe(), sparseAll, dense, multimaskOutput: false);
        var logits = nn.functional.interpolate(lowRes, new long[] { queryImages.shape[2], queryImages.shape[3] },
                                               mode: InterpolationMode.Bilinear, align_corners: false);
        return new UinoFssOutput(logits.MoveToOuterDisposeScope(), priorLogits?.MoveToOuterDisposeScope(),
                                 lowRes.MoveToOuterDisposeScope(), iou.MoveToOuterDisposeScope());
    }

    /// <summary><see cref="UinoFss.EncodeImages"/> with gradients: block l_low raw, the last l blocks through the final norm.</summary>
    private static (Tensor? Low, Tensor[] Last) Encode(UinoFss model, Tensor images, bool withLow)
    {
        var cfg = model.Config;
        var corr = Enumerable.Range(cfg.Backbone.Depth - cfg.CorrelationLayers, cfg.CorrelationLayers).ToArray();
        var raw = new List<int>(corr[..^1]);
        if (withLow) raw.Add(cfg.AdapterLayer - 1);
        var features = model.Encoder.ForwardFeatures(images, raw);
        var last = new Tensor[corr.Length];
        for (int i = 0; i < corr.Length - 1; i++)
            last[i] = model.Encoder.norm.call(features.Blocks[i].permute(0, 2, 3, 1)).permute(0, 3, 1, 2).contiguous();
        last[^1] = features.PatchTokens;
        return (withLow ? features.Blocks[^1] : null, last);
    }
}
