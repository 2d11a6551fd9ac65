using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>Mask handling shared by the prompt generators.</summary>
internal static class Prototypes
{
    /// <summary>
    /// Resizes binary masks (B×1×H×W or B×H×W, values in [0,1]) to a feature grid with bilinear
    /// interpolation (align_corners = true, as HSNet/HDMNet downsample support masks), giving soft weights.
    /// </summary>
    public static Tensor ToFeatureGrid(Tensor mask, long height, long width)
    {
        var m = mask.dim() == 3 ? mask.unsqueeze(1) : mask;
        if (m.dim() != 4 || m.shape[1] != 1)
            throw new ArgumentException($"Masks must be B×H×W or B×1×H×W, got [{string.Join(", ", mask.shape)}].", nameof(mask));
        if (m.shape[2] == height && m.shape[3] == width) return m.to(ScalarType.Float32);
        return nn.functional.interpolate(m.to(ScalarType.Float32), new[] { height, width },
            mode: InterpolationMode.Bilinear, align_corners: true);
    }

    private static readonly Scalar MinArea = 1e-6f.ToScalar();   // rooted (see ScalarOps)

    /// <summary>
    /// Masked average pooling (MAP, Eq. 3): Σ M·F / Σ M over the pixels of all K shots of an episode together.
    /// <paramref name="features"/> B×K×C×H×W and <paramref name="masks"/> B×K×1×H×W → B×C.
    /// Empty masks are rejected by the public API before this point; the clamp only guards rounding.
    /// </summary>
    public static Tensor MaskedAveragePool(Tensor features, Tensor masks)
    {
        using var scope = NewDisposeScope();
        var weighted = (features * masks).sum(new long[] { 1, 3, 4 });
        var area = masks.sum(new long[] { 1, 2, 3, 4 }).clamp_min(MinArea).unsqueeze(1);
        return (weighted / area).MoveToOuterDisposeScope();
    }
}
