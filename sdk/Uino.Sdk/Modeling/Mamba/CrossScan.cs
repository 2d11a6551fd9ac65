using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>
/// VMamba v0's four scan orders of a B×D×H×W map and their merge back onto the grid: k0 row-major, k1 column-major,
/// k2/k3 their reverses. Kept apart from <see cref="Ss2d"/> so the two reorderings can be timed and tuned alone.
/// </summary>
internal static class CrossScan
{
    public const int Directions = 4;

    /// <summary>B×D×H×W → B×4×D×L (L = H·W), the four sequences the grouped scan reads.</summary>
    public static Tensor Expand(Tensor x)
    {
        long b = x.shape[0], d = x.shape[1], l = x.shape[2] * x.shape[3];
        var hw = stack(new[] { x.reshape(b, d, l), x.transpose(2, 3).reshape(b, d, l) }, 1);   // b 2 d l
        return cat(new[] { hw, hw.flip(-1) }, 1);                                            // b k d l
    }

    /// <summary>The scan's B×(4·D)×L output → B×H×W×D (channels last): y0 + flip(y2) + T(y1) + T(flip(y3)).</summary>
    public static Tensor Merge(Tensor scanOut, long h, long w)
    {
        long b = scanOut.shape[0], d = scanOut.shape[1] / Directions, l = scanOut.shape[2];
        var y = scanOut.view(b, Directions, d, l);
        var inv = y.narrow(1, 2, 2).flip(-1);
        var wh = y.select(1, 1).view(b, d, w, h).transpose(2, 3).reshape(b, d, l);
        var invWh = inv.select(1, 1).view(b, d, w, h).transpose(2, 3).reshape(b, d, l);
        return y.select(1, 0).Plus(inv.select(1, 0)).Plus(wh).Plus(invWh).transpose(1, 2).reshape(b, h, w, d);
    }
}
