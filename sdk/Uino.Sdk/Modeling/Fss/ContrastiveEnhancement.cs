using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Contrastive enhancement (Sec. IV-D2, Eq. 4–8): for each of the last l layers, the cosine correlation of every
/// query position with the masked support foreground minus that with the masked support background.
/// <para>
/// Because the query vector is normalised on its own, cos(q, s_fg) − cos(q, s_bg) = q̂ · (ŝ_fg − ŝ_bg): the
/// support side reduces to one difference tensor per layer, computed once per reference. Any average over
/// support positions (the support pooling before the MHCM, Eq. 10's AvgPool) is linear and commutes with the
/// product, so it is applied to the cached support side instead of to a 4D volume every frame. A zero support
/// vector (the masked-out side) has cosine 0, as with HSNet's eps-guarded normalisation.
/// </para>
/// Shapes: query B×C×Hq×Wq; support sides Bs×K×C×Hs×Ws with Bs = B (one episode per query) or 1 (one reference
/// shared by every query).
/// </summary>
internal static class ContrastiveEnhancement
{
    private const double Eps = 1e-5;
    private static readonly Scalar EpsScalar = Eps.ToScalar();

    /// <summary>Unit-normalises along dim 1 (channels); zero vectors stay zero.</summary>
    public static Tensor Normalize(Tensor features) => features / features.norm(1, keepdim: true).clamp_min(EpsScalar);

    /// <summary>Eq. 4, normalised per position: (ŝ_fg, ŝ_bg) of support features N×C×H×W and masks N×1×H×W in [0,1].</summary>
    public static (Tensor Foreground, Tensor Background) SupportSides(Tensor support, Tensor masks) =>
        (Normalize(support * masks), Normalize(support * masks.SubtractedFrom(1)));

    /// <summary>Eq. 5–7, the full 4D volume of one layer: V = V_fg − V_bg, B×K×Hq×Wq×Hs×Ws (the reference form).</summary>
    public static Tensor Volume(Tensor query, Tensor supportForeground, Tensor supportBackground)
    {
        using var scope = NewDisposeScope();
        return Correlate(query, supportForeground - supportBackground).MoveToOuterDisposeScope();
    }

    /// <summary>Eq. 5, the raw foreground correlation of one layer, B×K×Hq×Wq×Hs×Ws.</summary>
    public static Tensor ForegroundVolume(Tensor query, Tensor supportForeground) => Correlate(query, supportForeground);

    /// <summary>
    /// The support side of the pooled volume: (ŝ_fg − ŝ_bg) average-pooled over the support dims to grid×grid,
    /// Bs×K×C×g×g. Cached with the reference; exactly equal to pooling the 4D volume.
    /// </summary>
    public static Tensor PooledDifference(Tensor supportForeground, Tensor supportBackground, long grid)
    {
        using var scope = NewDisposeScope();
        var d = (supportForeground - supportBackground).flatten(0, 1);
        var pooled = nn.functional.adaptive_avg_pool2d(d, new[] { grid, grid });
        return pooled.reshape(supportForeground.shape[0], supportForeground.shape[1], pooled.shape[1], grid, grid)
                     .MoveToOuterDisposeScope();
    }

    /// <summary>The query side of the pooled volume: q̂ against a cached pooled difference → B×K×Hq×Wq×g×g.</summary>
    public static Tensor PooledVolume(Tensor query, Tensor pooledDifference) => Correlate(query, pooledDifference);

    /// <summary>Mean of ŝ_fg over every support position of each shot (Bs×K×C), cached for Eq. 10.</summary>
    public static Tensor MeanForeground(Tensor supportForeground) => supportForeground.mean(new long[] { 3, 4 });

    /// <summary>
    /// Eq. 10's first term before the shot average: the raw last-layer foreground correlation averaged over all
    /// support positions of each shot, q̂ · mean_s(ŝ_fg) → B×K×Hq×Wq.
    /// </summary>
    public static Tensor MeanForegroundCorrelation(Tensor query, Tensor meanForeground)
    {
        using var scope = NewDisposeScope();
        var m = meanForeground.expand(query.shape[0], -1, -1);
        return einsum("bchw,bkc->bkhw", Normalize(query), m).MoveToOuterDisposeScope();
    }

    private static Tensor Correlate(Tensor query, Tensor support)
    {
        if (query.dim() != 4 || support.dim() != 5 || query.shape[1] != support.shape[2])
            throw new ArgumentException($"Correlation needs query B×C×H×W and support B×K×C×H×W with equal C, got " +
                                        $"[{string.Join(", ", query.shape)}] and [{string.Join(", ", support.shape)}].");
        if (support.shape[0] != 1 && support.shape[0] != query.shape[0])
            throw new ArgumentException($"Support batch {support.shape[0]} must be 1 or the query batch {query.shape[0]}.");
        using var scope = NewDisposeScope();
        long b = query.shape[0], k = support.shape[1];
        var q = Normalize(query).flatten(2);                                            // B×C×Nq
        var s = support.flatten(3).expand(b, -1, -1, -1);                               // B×K×C×Ns
        var v = einsum("bcq,bkcs->bkqs", q, s);
        return v.reshape(b, k, query.shape[2], query.shape[3], support.shape[3], support.shape[4]).MoveToOuterDisposeScope();
    }
}
