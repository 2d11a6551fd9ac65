using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Everything UINO-FSS needs from the support side, computed once per reference (Sec. IV-D; the "reference
/// cache"): segmenting a query reuses it and never touches the support images again. Bs is 1 for a reference
/// shared by every query, or the episode batch in training. Owns its tensors.
/// </summary>
internal sealed class ReferenceFeatures : IDisposable
{
    /// <summary>Number of shots K.</summary>
    public required long Shots { get; init; }
    /// <summary>P_s, the semantic-aware visual prompt token: Bs×1×256 (Eq. 3).</summary>
    public required Tensor SparsePrompt { get; init; }
    /// <summary>Per correlated layer: pooled (ŝ_fg − ŝ_bg), Bs×K×C×g×g (full variants; empty for Comp).</summary>
    public required IReadOnlyList<Tensor> PooledDifferences { get; init; }
    /// <summary>Mean of the last layer's ŝ_fg over support positions, Bs×K×C (Eq. 10; full variants).</summary>
    public Tensor? MeanForeground { get; init; }
    /// <summary>Last-layer class prototype, Bs×C (the PCS dense prompt of Comp / Comp*).</summary>
    public Tensor? Prototype { get; init; }

    public long Batch => SparsePrompt.shape[0];

    /// <summary>Moves every tensor to the dispose scope outside the current one.</summary>
    public void MoveToOuterDisposeScope()
    {
        SparsePrompt.MoveToOuterDisposeScope();
        foreach (var t in PooledDifferences) t.MoveToOuterDisposeScope();
        MeanForeground?.MoveToOuterDisposeScope();
        Prototype?.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        SparsePrompt.Dispose();
        foreach (var t in PooledDifferences) t.Dispose();
        MeanForeground?.Dispose();
        Prototype?.Dispose();
    }
}
