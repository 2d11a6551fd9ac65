using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// A ViT block of SAM's image encoder (image_encoder.Block): pre-norm attention, windowed (with zero padding to a
/// multiple of the window, removed afterwards) unless window_size is 0, then a pre-norm GELU MLP.
/// </summary>
internal sealed class Block : nn.Module<Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (image_encoder.blocks.N.norm1.*, attn.*, norm2.*, mlp.*).
    private readonly LayerNorm norm1;
    private readonly RelPosAttention attn;
    private readonly LayerNorm norm2;
    private readonly MLPBlock mlp;
    private readonly long windowSize;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Block))]
    public Block(long dim, long numHeads, double mlpRatio, bool qkvBias, bool useRelPos, long windowSize,
                 (long H, long W) inputSize, double layerNormEps, Device? device = null) : base(nameof(Block))
    {
        norm1 = Layers.LayerNorm(dim, eps: layerNormEps, device: device);
        attn = new RelPosAttention(dim, numHeads, qkvBias, useRelPos, windowSize == 0 ? inputSize : (windowSize, windowSize), device);
        norm2 = Layers.LayerNorm(dim, eps: layerNormEps, device: device);
        mlp = new MLPBlock(dim, (long)(dim * mlpRatio), gelu: true, device);
        this.windowSize = windowSize;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shortcut = x;
        var y = norm1.forward(x);
        if (windowSize > 0)
        {
            long h = y.shape[1], w = y.shape[2];
            var (windows, hp, wp) = WindowPartition(y, windowSize);
            y = WindowUnpartition(attn.forward(windows), windowSize, hp, wp, h, w);
        }
        else
        {
            y = attn.forward(y);
        }
        y = shortcut.Plus(y);
        y = y.Plus(mlp.forward(norm2.forward(y)));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>B×H×W×C → (B·nW)×ws×ws×C, zero-padding bottom/right to a multiple of ws (official window_partition).</summary>
    internal static (Tensor Windows, long Hp, long Wp) WindowPartition(Tensor x, long ws)
    {
        long b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
        long padH = (ws - h % ws) % ws, padW = (ws - w % ws) % ws;
        if (padH > 0 || padW > 0) x = nn.functional.pad(x, [0, 0, 0, padW, 0, padH]);
        long hp = h + padH, wp = w + padW;
        var windows = x.view(b, hp / ws, ws, wp / ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws, ws, c);
        return (windows, hp, wp);
    }

    /// <summary>Inverse of <see cref="WindowPartition"/>, cropping the padding (official window_unpartition).</summary>
    internal static Tensor WindowUnpartition(Tensor windows, long ws, long hp, long wp, long h, long w)
    {
        long b = windows.shape[0] / (hp * wp / ws / ws);
        var x = windows.view(b, hp / ws, wp / ws, ws, ws, -1).permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, -1);
        if (hp > h || wp > w) x = x[TensorIndex.Colon, TensorIndex.Slice(0, h), TensorIndex.Slice(0, w), TensorIndex.Colon].contiguous();
        return x;
    }
}
