using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The sine encoding of the semantic-aware visual prompt (Eq. 3): the prototype is projected by a fixed random
/// Gaussian matrix and mapped to [sin(2πpG), cos(2πpG)], exactly the recipe of SAM's PositionEmbeddingRandom,
/// so that the prompt token lives in the same space as SAM's point/box embeddings ("to align with SAM's
/// positional encoding"). The matrix is a persistent buffer (saved with the weights), not trained.
/// </summary>
internal sealed class SineEncoding : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Tensor gaussian_matrix;
#pragma warning restore IDE1006

    public long InputDim { get; }
    public long OutputDim { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(SineEncoding))]
    public SineEncoding(long inputDim, long outputDim, double scale = 1.0, Device? device = null) : base(nameof(SineEncoding))
    {
        if (outputDim % 2 != 0) throw new ArgumentException("The sine encoding needs an even output size.", nameof(outputDim));
        InputDim = inputDim;
        OutputDim = outputDim;
        // The scope and the scalar hold the temporaries until the op returns (see Ss2d); Layers.Buffer takes the result out.
        using var scope = NewDisposeScope();
        using var factor = scale.ToScalar();
        gaussian_matrix = Layers.Buffer(randn(inputDim, outputDim / 2, device: device) * factor);
        register_buffer(nameof(gaussian_matrix), gaussian_matrix);
        RegisterComponents();
    }

    /// <summary>… × InputDim → … × OutputDim.</summary>
    public override Tensor forward(Tensor prototype)
    {
        using var scope = NewDisposeScope();
        var projected = matmul(prototype, gaussian_matrix).Times(2 * Math.PI);
        return cat(new[] { projected.sin(), projected.cos() }, -1).MoveToOuterDisposeScope();
    }
}
