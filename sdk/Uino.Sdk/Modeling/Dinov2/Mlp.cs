using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// Feed-forward of a block (dinov2/layers/mlp.py): fc1 → exact GELU (nn.GELU default) → fc2. Dropout is 0 in
/// every DINOv2 model, so it is left out.
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys (blocks.N.mlp.fc1.weight).
    public readonly Linear fc1;
    public readonly GELU act;
    public readonly Linear fc2;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Mlp))]
    public Mlp(long inFeatures, long hiddenFeatures, bool bias, Device? device = null) : base(nameof(Mlp))
    {
        fc1 = Layers.Linear(inFeatures, hiddenFeatures, hasBias: bias, device: device);
        act = nn.GELU();
        fc2 = Layers.Linear(hiddenFeatures, inFeatures, hasBias: bias, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var h = fc1.call(x);
        // GELU in place on fc1's fresh output: saves one B×N×4C buffer per block.
        using var a = torch.is_grad_enabled() ? act.call(h) : h.gelu_();
        return fc2.call(a);
    }
}
