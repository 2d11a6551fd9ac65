using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>
/// VMamba's VSSBlock as in the original v0 models: mlp_ratio 0 (no MLP branch), pre-norm,
/// out = x + SS2D(LayerNorm(x)), channels-last B×H×W×C. Drop path is identity at inference and not modelled.
/// </summary>
// Field names mirror the official checkpoint keys (norm.*, op.*).
#pragma warning disable IDE1006
internal sealed class VssBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Ss2d op;

    /// <summary>The SS2D branch (e.g. to choose its scan path).</summary>
    public Ss2d Op => op;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(VssBlock))]
    public VssBlock(long hiddenDim, long dState = 16, double ssmRatio = 2.0, long? dtRank = null, string name = "VSSBlock",
                    Device? device = null) : base(name)
    {
        norm = Layers.LayerNorm(hiddenDim, eps: 1e-5, device: device);
        op = new Ss2d(hiddenDim, dState, ssmRatio, dtRank, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        Tensor normed;
        using (Stages.Begin("vss.norm")) normed = norm.forward(x);
        var y = op.forward(normed);
        using (Stages.Begin("vss.residual")) return x.Plus(y);
    }

    /// <summary>The block output plus the SS2D branch output and SS2D's trace (for parity checks).</summary>
    public (Tensor Out, Tensor OpOut, Ss2dTrace Op) Trace(Tensor x)
    {
        var t = op.Trace(norm.forward(x));
        return (x.Plus(t.Out), t.Out, t);
    }
}
#pragma warning restore IDE1006
