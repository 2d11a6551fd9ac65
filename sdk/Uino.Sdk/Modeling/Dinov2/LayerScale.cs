using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>Per-channel residual scale (dinov2/layers/layer_scale.py): <c>x * gamma</c>.</summary>
internal sealed class LayerScale : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys (blocks.N.ls1.gamma).
    public readonly Parameter gamma;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(LayerScale))]
    public LayerScale(long dim, double initValues, Device? device = null) : base(nameof(LayerScale))
    {
        using var value = initValues.ToScalar();   // held until the op returns (see Scalars)
        gamma = Layers.Parameter(full(dim, value, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * gamma;
}
