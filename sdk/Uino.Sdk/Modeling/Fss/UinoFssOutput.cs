using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>What one forward pass gives: mask logits at the input size, the prior mask logits, the IoU estimate.</summary>
/// <param name="MaskLogits">P_m before the sigmoid, B×1×InputSize×InputSize.</param>
/// <param name="PriorLogits">P_prior before the sigmoid, B×1×4h×4w (null for Comp / Comp*, which have no prior head).</param>
/// <param name="LowResLogits">The decoder's low-resolution logits B×1×4h×4w.</param>
/// <param name="IouPrediction">SAM's IoU head for the mask, B×1.</param>
internal sealed record UinoFssOutput(Tensor MaskLogits, Tensor? PriorLogits, Tensor LowResLogits, Tensor IouPrediction) : IDisposable
{
    public void Dispose()
    {
        MaskLogits.Dispose();
        PriorLogits?.Dispose();
        LowResLogits.Dispose();
        IouPrediction.Dispose();
    }
}
