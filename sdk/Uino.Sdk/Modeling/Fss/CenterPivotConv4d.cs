using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// HSNet's center-pivot 4D convolution on a correlation volume B×C×Hq×Wq×Hs×Ws: a 2D conv over the query
/// dims for every support position plus a 2D conv over the support dims for every query position — the
/// two "center pivot" slices of a 4D kernel, at the cost of two 2D convs.
/// </summary>
// Field names mirror the official checkpoint keys (conv1.*, conv2.*).
#pragma warning disable IDE1006
internal sealed class CenterPivotConv4d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly long[] stride;
    private readonly long[] padding;
    private readonly long inChannels;

    /// <param name="inChannels">Channels of the correlation volume.</param>
    /// <param name="outChannels">Channels out.</param>
    /// <param name="kernelSize">(kq_h, kq_w, ks_h, ks_w).</param>
    /// <param name="stride">(query h, query w, support h, support w).</param>
    /// <param name="padding">Same layout; HSNet uses k/2 everywhere.</param>
    /// <param name="bias">Bias on both 2D convs.</param>
    /// <param name="name">Module name.</param>
    /// <param name="device">Where to allocate the weights (default CPU); <c>meta</c> for shapes only.</param>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(CenterPivotConv4d))]
    public CenterPivotConv4d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding, bool bias = true,
                             string name = "CenterPivotConv4d", Device? device = null) : base(name)
    {
        foreach (var (v, what) in new[] { (kernelSize, "kernel_size"), (stride, "stride"), (padding, "padding") })
            if (v.Length != 4) throw new ArgumentException($"CenterPivotConv4d {what} needs 4 values, got {v.Length}.");
        this.inChannels = inChannels;
        this.stride = stride.ToArray();
        this.padding = padding.ToArray();
        conv1 = Layers.Conv2d(inChannels, outChannels, (kernelSize[0], kernelSize[1]), stride: (stride[0], stride[1]),
                              padding: (padding[0], padding[1]), bias: bias, device: device);
        conv2 = Layers.Conv2d(inChannels, outChannels, (kernelSize[2], kernelSize[3]), stride: (stride[2], stride[3]),
                              padding: (padding[2], padding[3]), bias: bias, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 6 || x.shape[1] != inChannels)
            throw new ArgumentException($"CenterPivotConv4d expects B×{inChannels}×Hq×Wq×Hs×Ws, got [{string.Join(", ", x.shape)}].");
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], hq = x.shape[2], wq = x.shape[3], hs = x.shape[4], ws = x.shape[5];

        // The query-dim conv only runs at the support positions the support-dim conv keeps (prune()).
        var x1 = stride[3] > 1 ? Prune(x) : x;
        long hs1 = x1.shape[4], ws1 = x1.shape[5];
        var out1 = conv1.forward(x1.permute(0, 4, 5, 1, 2, 3).reshape(b * hs1 * ws1, c, hq, wq));
        long o = out1.shape[1], oh = out1.shape[2], ow = out1.shape[3];
        out1 = out1.view(b, hs1, ws1, o, oh, ow).permute(0, 3, 4, 5, 1, 2);

        var out2 = conv2.forward(x.permute(0, 2, 3, 1, 4, 5).reshape(b * hq * wq, c, hs, ws));
        long sh = out2.shape[2], sw = out2.shape[3];
        out2 = out2.view(b, hq, wq, o, sh, sw).permute(0, 3, 1, 2, 4, 5);

        if (out1.shape[4] != sh || out1.shape[5] != sw)
        {
            // Official padding-0 branch: the support conv collapsed the support dims to 1×1, so the query
            // branch is summed over them.
            if (padding[2] == 0 && padding[3] == 0 && sh == 1 && sw == 1)
                out1 = out1.sum(new long[] { 4, 5 }, keepdim: true);
            else
                throw new ArgumentException($"CenterPivotConv4d: support output {out1.shape[4]}×{out1.shape[5]} of the query branch " +
                                            $"does not match {sh}×{sw} of the support branch (check stride/padding).");
        }
        if (out1.shape[2] != out2.shape[2] || out1.shape[3] != out2.shape[3])
            throw new ArgumentException($"CenterPivotConv4d: query output {oh}×{ow} does not match {out2.shape[2]}×{out2.shape[3]}; " +
                                        "the query dims must keep their size in the support branch (stride[:2] = 1 or matching padding).");
        return out1.Plus(out2).MoveToOuterDisposeScope();
    }

    /// <summary>Keeps support positions 0, s, 2s, … along Hs (stride[2]) and Ws (stride[3]), as HSNet's prune().</summary>
    private Tensor Prune(Tensor x) =>
        x[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, stride[2]), TensorIndex.Slice(null, null, stride[3])];
}
#pragma warning restore IDE1006
