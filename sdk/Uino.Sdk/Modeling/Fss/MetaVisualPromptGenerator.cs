using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The Meta-Visual Prompt Generator of Fig. 3 (Sec. IV-D): from the support it makes the semantic-aware visual
/// prompt (the sparse token, Eq. 2–3) and the support side of the dense prompt; per query it makes the dense prompt:
/// the Mamba dense prompt (<see cref="MambaDensePromptGenerator"/>) or, for the Comp variants and the PCS ablation,
/// the parameter-free prototype-cosine prior. Its weights are <see cref="UinoFss"/>'s <c>svp.*</c>, <c>mhcm.*</c> and
/// <c>dense_head.*</c>.
/// </summary>
internal sealed class MetaVisualPromptGenerator(SemanticVisualPrompt svp, MambaDensePromptGenerator? mamba)
{
    /// <summary>Everything the prompts need from the support (the reference cache).</summary>
    /// <param name="layers">The correlated layers of the Bs·K shots, each BsK×C×h×w.</param>
    /// <param name="masks">The shots' masks BsK×1×h×w on the layers' grid.</param>
    /// <param name="bs">Episodes (1 for a session's reference).</param>
    /// <param name="k">Shots per episode.</param>
    /// <param name="prototypePrior">Prepare the prototype-cosine prior instead of the Mamba dense prompt.</param>
    /// <param name="svpKeep">Training only: Bs×1×1 of 0/1 multiplying each episode's SVP token.</param>
    public ReferenceFeatures EncodeSupport(Tensor[] layers, Tensor masks, long bs, long k, bool prototypePrior, Tensor? svpKeep)
    {
        using var scope = NewDisposeScope();
        Tensor Episodes(Tensor t) => t.reshape(bs, k, t.shape[1], t.shape[2], t.shape[3]);
        var sparse = svp.call(Episodes(layers[^1]), Episodes(masks));                    // Eq. 2–3
        if (svpKeep is not null) sparse = sparse * svpKeep;
        List<Tensor> pooled = [];
        Tensor? meanFg = null, prototype = null;
        if (mamba is not null && !prototypePrior) (pooled, meanFg) = mamba.EncodeSupport(layers, masks, bs, k);
        else prototype = PrototypeCosinePrompt.Prototype(Episodes(layers[^1]), Episodes(masks));
        return new ReferenceFeatures
        {
            Shots = k,
            SparsePrompt = sparse.MoveToOuterDisposeScope(),
            PooledDifferences = pooled.Select(p => p.MoveToOuterDisposeScope()).ToList(),
            MeanForeground = meanFg?.MoveToOuterDisposeScope(),
            Prototype = prototype?.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>
    /// The dense prompt of query layers against the reference, in the form the reference was encoded for: the mask
    /// input of SAM's prompt encoder (B×1×mh×mw, in [0,1] for the Mamba prior) and the prior's logits (null for PCS).
    /// </summary>
    public (Tensor MaskInput, Tensor? PriorLogits) DensePrompt(Tensor[] layers, ReferenceFeatures reference, long maskHeight, long maskWidth)
    {
        if (reference.Prototype is null)
        {
            var logits = mamba!.Prior(layers, reference, maskHeight, maskWidth);
            return (sigmoid(logits), logits);
        }
        using var stage = Stages.Begin("dense_prompt");
        return (PrototypeCosinePrompt.Prior(layers[^1], reference.Prototype, maskHeight, maskWidth), null);
    }
}
