using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// SAM's random-Fourier positional encoding (prompt_encoder.PositionEmbeddingRandom): coordinates in [0,1]² are
/// mapped to 2·(2c−1)·G with the Gaussian buffer G (2×F), then [sin, cos] → 2F channels.
/// </summary>
internal sealed class PositionEmbeddingRandom : nn.Module
{
    // Buffer name mirrors the official checkpoint key prompt_encoder.pe_layer.positional_encoding_gaussian_matrix.
    private readonly Tensor positional_encoding_gaussian_matrix;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(PositionEmbeddingRandom))]
    public PositionEmbeddingRandom(long numPosFeats = 64, double? scale = null, Device? device = null) : base(nameof(PositionEmbeddingRandom))
    {
        // Official: a missing or non-positive scale means 1.0. Checkpoints overwrite the matrix anyway.
        // The scope and the scalar hold the temporaries until the op returns (see Ss2d); Layers.Buffer takes the result out.
        using var scope = NewDisposeScope();
        using var s = (scale is null || scale <= 0.0 ? 1.0 : scale.Value).ToScalar();
        positional_encoding_gaussian_matrix = Layers.Buffer(randn(2, numPosFeats, device: device).mul_(s));
        register_buffer(nameof(positional_encoding_gaussian_matrix), positional_encoding_gaussian_matrix);
        RegisterComponents();
    }

    /// <summary>Number of output channels (2F).</summary>
    public long Channels => positional_encoding_gaussian_matrix.shape[1] * 2;

    /// <summary>Encodes coordinates already normalised to [0,1]; …×2 → …×2F.</summary>
    private Tensor PeEncoding(Tensor coords)
    {
        using var scope = NewDisposeScope();
        var c = coords.Times(2).Minus(1);
        c = c.matmul(positional_encoding_gaussian_matrix);
        c = c.Times(2 * Math.PI);
        return cat([c.sin(), c.cos()], -1).MoveToOuterDisposeScope();
    }

    /// <summary>Dense encoding of an h×w grid of cell centres: 2F×h×w.</summary>
    public Tensor Forward(long h, long w)
    {
        using var scope = NewDisposeScope();
        var device = positional_encoding_gaussian_matrix.device;
        // Same arithmetic as the official cumsum(ones) − 0.5, divided by the size, in float32.
        var grid = ones(h, w, dtype: ScalarType.Float32, device: device);
        var yEmbed = grid.cumsum(0).Minus(0.5).Over(h);
        var xEmbed = grid.cumsum(1).Minus(0.5).Over(w);
        var pe = PeEncoding(stack([xEmbed, yEmbed], -1));
        return pe.permute(2, 0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes B×N×2 (x, y) pixel coordinates of an image of size (H, W): B×N×2F.</summary>
    public Tensor ForwardWithCoords(Tensor coordsInput, long imageH, long imageW)
    {
        if (coordsInput.dim() != 3 || coordsInput.shape[2] != 2)
            throw new ArgumentException($"Point coordinates must be B×N×2, got [{string.Join(", ", coordsInput.shape)}].", nameof(coordsInput));
        using var scope = NewDisposeScope();
        var c = coordsInput.to(ScalarType.Float32);
        var x = c[.., .., 0..1].Over(imageW);
        var y = c[.., .., 1..2].Over(imageH);
        return PeEncoding(cat([x, y], -1)).MoveToOuterDisposeScope();
    }
}
