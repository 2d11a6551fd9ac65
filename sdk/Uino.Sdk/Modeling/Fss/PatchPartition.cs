using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The HGMB's cut of a 4D volume B×C×Hq×Wq×Hs×Ws into non-overlapping kq×kq×ks×ks blocks, each a channels-last
/// kq²×ks² 2D patch (query positions along H, support positions along W), and the way back. Dims that are not
/// multiples of the partition are zero-padded at their end and cropped afterwards.
/// </summary>
internal readonly record struct PatchPartition(long Batch, long Channels, long Hq, long Wq, long Hs, long Ws, long Kq, long Ks)
{
    private long Hq2 => RoundUp(Hq, Kq);
    private long Wq2 => RoundUp(Wq, Kq);
    private long Hs2 => RoundUp(Hs, Ks);
    private long Ws2 => RoundUp(Ws, Ks);
    private bool Padded => Hq2 != Hq || Wq2 != Wq || Hs2 != Hs || Ws2 != Ws;

    /// <summary>Patches per batch item.</summary>
    public long Count => Hq2 / Kq * (Wq2 / Kq) * (Hs2 / Ks) * (Ws2 / Ks);

    public static PatchPartition Of(Tensor volume, long kq, long ks) =>
        new(volume.shape[0], volume.shape[1], volume.shape[2], volume.shape[3], volume.shape[4], volume.shape[5], kq, ks);

    /// <summary>B×C×Hq×Wq×Hs×Ws → (B·n)×kq²×ks²×C.</summary>
    public Tensor Cut(Tensor x)
    {
        if (Padded) x = nn.functional.pad(x, new[] { 0, Ws2 - Ws, 0, Hs2 - Hs, 0, Wq2 - Wq, 0, Hq2 - Hq });
        // B, C, nHq, kq, nWq, kq, nHs, ks, nWs, ks → B, nHq, nWq, nHs, nWs, kq, kq, ks, ks, C
        return x.reshape(Batch, Channels, Hq2 / Kq, Kq, Wq2 / Kq, Kq, Hs2 / Ks, Ks, Ws2 / Ks, Ks)
                .permute(0, 2, 4, 6, 8, 3, 5, 7, 9, 1)
                .reshape(Batch * Count, Kq * Kq, Ks * Ks, Channels);
    }

    /// <summary>(B·n)×kq²×ks²×C → B×C×Hq×Wq×Hs×Ws (contiguous).</summary>
    public Tensor Join(Tensor patches)
    {
        var y = patches.reshape(Batch, Hq2 / Kq, Wq2 / Kq, Hs2 / Ks, Ws2 / Ks, Kq, Kq, Ks, Ks, Channels)
                       .permute(0, 9, 1, 5, 2, 6, 3, 7, 4, 8)
                       .reshape(Batch, Channels, Hq2, Wq2, Hs2, Ws2);
        if (Padded) y = y[.., .., ..(int)Hq, ..(int)Wq, ..(int)Hs, ..(int)Ws];
        return y.contiguous();
    }

    private static long RoundUp(long v, long k) => (v + k - 1) / k * k;
}
