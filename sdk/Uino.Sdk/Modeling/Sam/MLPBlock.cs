using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>SAM common.MLPBlock: lin1 → act → lin2 (GELU in the image encoder, ReLU in the two-way transformer).</summary>
internal sealed class MLPBlock : nn.Module<Tensor, Tensor>
{
    // Field names mirror the official checkpoint keys (mlp.lin1.*, mlp.lin2.*).
    private readonly Linear lin1;
    private readonly Linear lin2;
    private readonly nn.Module<Tensor, Tensor> act;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(MLPBlock))]
    public MLPBlock(long embeddingDim, long mlpDim, bool gelu, Device? device = null) : base(nameof(MLPBlock))
    {
        lin1 = Layers.Linear(embeddingDim, mlpDim, device: device);
        lin2 = Layers.Linear(mlpDim, embeddingDim, device: device);
        act = gelu ? nn.GELU() : nn.ReLU();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var h = lin1.forward(x);
        using var a = act.forward(h);
        return lin2.forward(a);
    }
}
