using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The parameter-free dense prompt of UINO-FSS-Comp / Comp* (PCS, Sec. V-C3): the cosine similarity of every
/// query position (last DINOv2 layer) with the support prototype (masked average of the support features),
/// upsampled to the prompt encoder's mask-input size.
/// </summary>
internal static class PrototypeCosinePrompt
{
    /// <summary>The class prototype (B×C) of each episode's K shots (B×K×C×H×W, masks B×K×1×H×W).</summary>
    public static Tensor Prototype(Tensor supportFeatures, Tensor masks) => Prototypes.MaskedAveragePool(supportFeatures, masks);

    /// <summary>Query B×C×H×W and prototypes B×C (or 1×C) → the dense prompt B×1×maskHeight×maskWidth.</summary>
    public static Tensor Prior(Tensor query, Tensor prototype, long maskHeight, long maskWidth)
    {
        using var scope = NewDisposeScope();
        var p = ContrastiveEnhancement.Normalize(prototype).expand(query.shape[0], -1);
        var similarity = einsum("bchw,bc->bhw", ContrastiveEnhancement.Normalize(query), p).unsqueeze(1);
        return nn.functional.interpolate(similarity, new[] { maskHeight, maskWidth },
            mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope();
    }
}
