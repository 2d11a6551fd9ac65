using TorchSharp;
using Uino.Modeling;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>
/// The stage-2 losses (Eq. 12–14), from logits, over the pixels whose label is not 255.
/// Dice = 1 − (2 Σ p·y + 1) / (Σ p + Σ y + 1) per image (p = sigmoid, sums over valid pixels), averaged over the
/// batch; BCE = mean over all valid pixels of the batch. A prediction at another resolution than the label (the
/// prior at 4× the token grid) is bilinearly upsampled to the label first.
/// </summary>
internal static class Losses
{
    public const float DiceSmooth = 1f;

    /// <summary>Dice loss of logits B×1×H×W (or B×H×W) against labels B×H×W (0, 1, 255).</summary>
    public static Tensor Dice(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (p, y, valid) = Prepare(logits, labels);
        var prob = sigmoid(p) * valid;
        var inter = (prob * y).sum(new long[] { 1, 2 });
        var denom = prob.sum(new long[] { 1, 2 }).Plus(y.sum(new long[] { 1, 2 }));
        // ScalarOps, not the operators: they would hand native code unreferenced Scalars (see ScalarOps).
        return (inter.Times(2.0).Plus(DiceSmooth) / denom.Plus(DiceSmooth)).SubtractedFrom(1.0).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Binary cross-entropy of logits against labels, averaged over the valid pixels.</summary>
    public static Tensor Bce(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (p, y, valid) = Prepare(logits, labels);
        var perPixel = nn.functional.binary_cross_entropy_with_logits(p, y, reduction: nn.Reduction.None);
        return ((perPixel * valid).sum() / valid.sum().clamp_min(Scalars.One)).MoveToOuterDisposeScope();
    }

    public static Tensor DiceBce(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return Dice(logits, labels).Plus(Bce(logits, labels)).MoveToOuterDisposeScope();
    }

    /// <summary>L = L_prior + L_final (Eq. 14); the Comp variants have no prior, so L = L_final.</summary>
    public static (Tensor Total, float Prior, float Final) Total(UinoFssOutput output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var final = DiceBce(output.MaskLogits, labels);
        Tensor? prior = output.PriorLogits is null ? null : DiceBce(output.PriorLogits, labels);
        var total = prior is null ? final : prior.Plus(final);
        return (total.MoveToOuterDisposeScope(), prior?.item<float>() ?? 0f, final.item<float>());
    }

    private static (Tensor Logits, Tensor Target, Tensor Valid) Prepare(Tensor logits, Tensor labels)
    {
        if (logits.dim() == 4) logits = logits.squeeze(1);
        if (logits.shape[1] != labels.shape[1] || logits.shape[2] != labels.shape[2])
            logits = nn.functional.interpolate(logits.unsqueeze(1), new[] { labels.shape[1], labels.shape[2] },
                                               mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        var valid = labels.ne(Scalars.Ignore).to(ScalarType.Float32);
        var target = labels.eq(Scalars.One).to(ScalarType.Float32);
        return (logits, target, valid);
    }
}
