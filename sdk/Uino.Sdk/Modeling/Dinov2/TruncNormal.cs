using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// PyTorch's <c>nn.init.trunc_normal_</c> (inverse-CDF sampling, as torch/nn/init.py). TorchSharp 0.107's own
/// <c>nn.init.trunc_normal_</c> swaps mean and std and drops the √2 factor, so with mean 0 it fills the tensor with
/// the constant <c>std</c>; the official DINOv2 init (timm ViT: trunc_normal std 0.02) needs the real thing.
/// </summary>
internal static class TruncNormal
{
    /// <summary>Fills <paramref name="tensor"/> in place with N(mean, std²) truncated to [a, b] (absolute bounds).</summary>
    public static Tensor Fill(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope(); // the in-place ops hand back extra handles to the same tensor
        double lower = NormCdf((a - mean) / std), upper = NormCdf((b - mean) / std);
        tensor.uniform_(2 * lower - 1, 2 * upper - 1);
        tensor.erfinv_();
        // Scalars held until the ops return, add_'s alpha included (see Scalars): networks are built on several
        // threads at once, and a temporary Scalar can be finalised while the native op reads it.
        using Scalar scale = (std * Math.Sqrt(2.0)).ToScalar(), shift = mean.ToScalar(), min = a.ToScalar(), max = b.ToScalar();
        tensor.mul_(scale);
        tensor.add_(shift, Scalars.One);
        tensor.clamp_(min, max);
        return tensor;
    }

    private static double NormCdf(double x)
    {
        using var t = tensor(x / Math.Sqrt(2.0), ScalarType.Float64, device: CPU); // a scalar, also when building on meta
        using var e = t.erf();
        return (1.0 + e.item<double>()) / 2.0;
    }
}
