using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>
/// The mask decoder's MLP (mask_decoder.MLP, from MaskFormer): <c>num_layers</c> linears in <c>layers</c>,
/// ReLU between them, none after the last; no sigmoid (SAM never enables it).
/// </summary>
internal sealed class MLP : nn.Module<Tensor, Tensor>
{
    // Field name mirrors the official checkpoint keys (….layers.N.weight).
    private readonly ModuleList<Linear> layers;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(MLP))]
    public MLP(long inputDim, long hiddenDim, long outputDim, int numLayers, Device? device = null) : base(nameof(MLP))
    {
        if (numLayers < 1) throw new ArgumentOutOfRangeException(nameof(numLayers), "An MLP needs at least one layer.");
        layers = new ModuleList<Linear>();
        for (int i = 0; i < numLayers; i++)
            layers.Add(Layers.Linear(i == 0 ? inputDim : hiddenDim, i == numLayers - 1 ? outputDim : hiddenDim, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i < layers.Count - 1) x = nn.functional.relu(x);
        }
        return x.MoveToOuterDisposeScope();
    }
}
