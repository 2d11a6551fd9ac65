using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Hierarchical Global Modeling Block (Fig. 4, Eq. 9). (1) Local: 3×3 convolutions over the query slicing V_a and
/// the support slicing V_b of the 4D volume, summed (exactly HSNet's center-pivot 4D convolution), raising the
/// channels l → l', then GroupNorm + ReLU as in HSNet's building block. (2) Global: the volume is cut into
/// non-overlapping k_q×k_q×k_s×k_s blocks, each flattened to a k_q²×k_s² 2D patch and processed by a VMamba VSS
/// block (four-direction selective scan); the patches are put back. Dims that are not multiples of the
/// partition are zero-padded at their end and cropped afterwards. Without the VSS this is the CP4D ablation
/// of Table VI.
/// </summary>
internal sealed class Hgmb : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly CenterPivotConv4d conv;
    private readonly GroupNorm norm;
    private readonly VssBlock? vss;
#pragma warning restore IDE1006

    public long QueryPartition { get; }
    public long SupportPartition { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Hgmb))]
    public Hgmb(long inChannels, long outChannels, long queryPartition, long supportPartition, long dState, bool withVss = true)
        : base(nameof(Hgmb))
    {
        if (queryPartition < 1 || supportPartition < 1) throw new ArgumentException("Partition sizes must be positive.");
        QueryPartition = queryPartition;
        SupportPartition = supportPartition;
        conv = new CenterPivotConv4d(inChannels, outChannels, new long[] { 3, 3, 3, 3 }, new long[] { 1, 1, 1, 1 },
                                     new long[] { 1, 1, 1, 1 }, bias: true);
        norm = nn.GroupNorm(4, outChannels);
        using (no_grad())
        {
            // TorchSharp 0.107's GroupNorm leaves its bias uninitialised (garbage, sometimes NaN): set PyTorch's init.
            norm.weight!.fill_(1);
            norm.bias!.zero_();
        }
        vss = withVss ? new VssBlock(outChannels, dState) : null;
        RegisterComponents();
    }

    /// <summary>B×l×Hq×Wq×Hs×Ws → B×l'×Hq×Wq×Hs×Ws.</summary>
    public override Tensor forward(Tensor volume)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(norm.call(conv.call(volume)));
        if (vss is not null) x = PatchwiseVss(x);
        return x.MoveToOuterDisposeScope();
    }

    private Tensor PatchwiseVss(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], hq = x.shape[2], wq = x.shape[3], hs = x.shape[4], ws = x.shape[5];
        long kq = QueryPartition, ks = SupportPartition;
        long hq2 = RoundUp(hq, kq), wq2 = RoundUp(wq, kq), hs2 = RoundUp(hs, ks), ws2 = RoundUp(ws, ks);
        if (hq2 != hq || wq2 != wq || hs2 != hs || ws2 != ws)
            x = nn.functional.pad(x, new[] { 0, ws2 - ws, 0, hs2 - hs, 0, wq2 - wq, 0, hq2 - hq });
        // B, C, nHq, kq, nWq, kq, nHs, ks, nWs, ks → B, nHq, nWq, nHs, nWs, kq, kq, ks, ks, C
        var blocks = x.reshape(b, c, hq2 / kq, kq, wq2 / kq, kq, hs2 / ks, ks, ws2 / ks, ks)
                      .permute(0, 2, 4, 6, 8, 3, 5, 7, 9, 1);
        long n = (hq2 / kq) * (wq2 / kq) * (hs2 / ks) * (ws2 / ks);
        var patches = blocks.reshape(b * n, kq * kq, ks * ks, c);                // channels-last 2D patches
        var y = vss!.call(patches)
                    .reshape(b, hq2 / kq, wq2 / kq, hs2 / ks, ws2 / ks, kq, kq, ks, ks, c)
                    .permute(0, 9, 1, 5, 2, 6, 3, 7, 4, 8)
                    .reshape(b, c, hq2, wq2, hs2, ws2);
        if (hq2 != hq || wq2 != wq || hs2 != hs || ws2 != ws)
            y = y[.., .., ..(int)hq, ..(int)wq, ..(int)hs, ..(int)ws];
        return y.contiguous();
    }

    private static long RoundUp(long v, long k) => (v + k - 1) / k * k;
}
