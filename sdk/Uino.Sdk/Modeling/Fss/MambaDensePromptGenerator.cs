using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The Mamba Dense Prompt Generator of Fig. 3 (Sec. IV-D2): contrastive enhancement of the last l layers into a 4D
/// correlation volume (Eq. 4–8), the Mamba-HyperCorrelation refining it (Eq. 9), and the dense head turning the
/// support-averaged volume plus the raw last-layer residual into the prior mask (Eq. 10–11). The support side is
/// computed once per reference (<see cref="EncodeSupport"/>), the query side per frame (<see cref="Prior"/>).
/// Its weights are <see cref="UinoFss"/>'s <c>mhcm.*</c> and <c>dense_head.*</c>.
/// </summary>
internal sealed class MambaDensePromptGenerator(MambaHyperCorrelation mhcm, DensePromptHead head, int supportGrid)
{
    /// <summary>
    /// The support side of Eq. 4–8 and 10 for each correlated layer: (ŝ_fg − ŝ_bg) pooled to the support grid, and
    /// the last layer's mean ŝ_fg. <paramref name="layers"/> are BsK×C×h×w, <paramref name="masks"/> BsK×1×h×w.
    /// </summary>
    public (List<Tensor> PooledDifferences, Tensor MeanForeground) EncodeSupport(Tensor[] layers, Tensor masks, long bs, long k)
    {
        using var scope = NewDisposeScope();
        Tensor Episodes(Tensor t) => t.reshape(bs, k, t.shape[1], t.shape[2], t.shape[3]);
        long grid = supportGrid == 0 ? layers[0].shape[2] : supportGrid;
        var pooled = new List<Tensor>();
        Tensor? meanFg = null;
        for (int i = 0; i < layers.Length; i++)
        {
            var (fg, bg) = ContrastiveEnhancement.SupportSides(layers[i], masks);
            pooled.Add((supportGrid == 0 ? Episodes(fg - bg) : ContrastiveEnhancement.PooledDifference(Episodes(fg), Episodes(bg), grid))
                       .MoveToOuterDisposeScope());
            if (i == layers.Length - 1) meanFg = ContrastiveEnhancement.MeanForeground(Episodes(fg)).MoveToOuterDisposeScope();
        }
        return (pooled, meanFg!);
    }

    /// <summary>Eq. 5–11 for query layers B×C×Hq×Wq against a cached reference → prior-mask logits B×1×mh×mw.</summary>
    public Tensor Prior(Tensor[] layers, ReferenceFeatures reference, long maskHeight, long maskWidth)
    {
        using var scope = NewDisposeScope();
        long b = layers[0].shape[0], k = reference.Shots, hq = layers[0].shape[2], wq = layers[0].shape[3];
        Tensor v, refined;
        using (Stages.Begin("correlation"))
        {
            var volumes = layers.Select((q, i) => ContrastiveEnhancement.PooledVolume(q, reference.PooledDifferences[i])).ToArray();
            v = stack(volumes, 2);                                                         // B×K×l×Hq×Wq×Hs×Ws
            v = v.reshape(b * k, v.shape[2], hq, wq, v.shape[5], v.shape[6]);              // shots as batch items
        }
        using (Stages.Begin("hypercorrelation")) refined = mhcm.call(v);                   // Eq. 9 (twice)
        using var dense = Stages.Begin("dense_prompt");
        var refined2d = refined.mean(new long[] { 4, 5 }).reshape(b, k, -1, hq, wq).mean(new long[] { 1 });
        var raw2d = ContrastiveEnhancement.MeanForegroundCorrelation(layers[^1], reference.MeanForeground!)
                                          .mean(new long[] { 1 }, keepdim: true);
        var v2d = refined2d.Plus(raw2d);                                                   // Eq. 10
        return head.call(v2d, maskHeight, maskWidth).MoveToOuterDisposeScope();           // Eq. 11 (logits)
    }
}
