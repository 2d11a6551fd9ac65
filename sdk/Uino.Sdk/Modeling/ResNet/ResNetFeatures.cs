using static TorchSharp.torch;

namespace Uino.Modeling.ResNet;

/// <summary>
/// What <see cref="ResNet.ForwardFeatures"/> returns: the output of every block (after its final ReLU), grouped by
/// stage, stages 1 … <c>lastStage</c>. <c>Stages[s - 1][i]</c> is block <c>layer{s}.{i}</c>, B×C_s×H/stride_s×W/stride_s
/// (strides 4, 8, 16, 32). The caller owns (disposes) every tensor.
/// </summary>
/// <param name="Stages">Block outputs, one list per stage computed.</param>
internal sealed record ResNetFeatures(IReadOnlyList<IReadOnlyList<Tensor>> Stages) : IDisposable
{
    /// <summary>Block outputs of stage <paramref name="stage"/> (1-based), first block first.</summary>
    public IReadOnlyList<Tensor> Stage(int stage) => Stages[stage - 1];

    /// <summary>The output of the last block computed (the last stage's last block).</summary>
    public Tensor Last => Stages[^1][^1];

    /// <summary>Every block output, stage by stage.</summary>
    public IEnumerable<Tensor> All => Stages.SelectMany(s => s);

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
