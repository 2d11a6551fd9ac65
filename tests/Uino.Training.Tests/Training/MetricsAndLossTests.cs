using NUnit.Framework;
using TorchSharp;
using Uino.Training.Evaluation;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Tests.Training;

public class MetricsAndLossTests
{
    [Test]
    public void Metrics_HandComputed_WithIgnoreAndClassAccumulation()
    {
        var m = new FssMetrics();
        // Episode 1, class 3 (2×3): label 1 1 0 / 0 255 0 ; pred 1 0 0 / 1 1 0.
        // Valid pixels exclude the 255. fg: I = 1, U = 3 (pixels 0,1,3). bg: I = 2 (pixels 2,5), U = 4 (1,2,3,5).
        m.Add(3, new byte[] { 1, 0, 0, 1, 1, 0 }, new byte[] { 1, 1, 0, 0, 255, 0 });
        // Episode 2, class 3: label 1 1 / pred 1 1 → fg I = 2, U = 2; bg I = 0, U = 0.
        m.Add(3, new byte[] { 1, 1 }, new byte[] { 1, 1 });
        // Episode 3, class 7: label 0 1 / pred 0 0 → fg I = 0, U = 1; bg I = 1, U = 2.
        m.Add(7, new byte[] { 0, 0 }, new byte[] { 0, 1 });
        // Class 3 accumulates: (1 + 2) / (3 + 2) = 60 % (not the mean of 33.3 % and 100 %). Class 7: 0 %.
        Assert.That(m.ClassIoU[3], Is.EqualTo(60.0).Within(1e-9));
        Assert.That(m.ClassIoU[7], Is.EqualTo(0.0).Within(1e-9));
        Assert.That(m.MeanIoU, Is.EqualTo(30.0).Within(1e-9));
        // FB-IoU: fg (1+2+0)/(3+2+1) = 0.5, bg (2+0+1)/(4+0+2) = 0.5 → 50 %.
        Assert.That(m.FbIoU, Is.EqualTo(50.0).Within(1e-9));
        Assert.That(m.Episodes, Is.EqualTo(3));
    }

    [Test]
    public void Metrics_IgnoredPixelsNeverCount()
    {
        var a = new FssMetrics();
        a.Add(1, new byte[] { 1, 0 }, new byte[] { 1, 0 });
        var b = new FssMetrics();
        b.Add(1, new byte[] { 1, 0, 1, 0 }, new byte[] { 1, 0, 255, 255 });
        Assert.That(b.MeanIoU, Is.EqualTo(a.MeanIoU));
        Assert.That(b.FbIoU, Is.EqualTo(a.FbIoU));
        Assert.That(a.MeanIoU, Is.EqualTo(100.0));
    }

    [Test]
    public void Loss_DiceAndBce_HandComputed()
    {
        // One image, 1×4 pixels; logits 0 → p = 0.5 everywhere; label 1 0 1 255.
        var logits = zeros(1, 1, 1, 4);
        var label = tensor(new float[] { 1, 0, 1, 255 }).reshape(1, 1, 4);
        // Dice over the 3 valid pixels: inter = 0.5 + 0.5 = 1, Σp = 1.5, Σy = 2 → 1 − (2 + 1) / (3.5 + 1) = 1/3.
        Assert.That(Losses.Dice(logits, label).ToSingle(), Is.EqualTo(1f / 3f).Within(1e-6));
        // BCE at p = 0.5 is ln 2 for every valid pixel.
        Assert.That(Losses.Bce(logits, label).ToSingle(), Is.EqualTo((float)Math.Log(2)).Within(1e-6));
        Assert.That(Losses.DiceBce(logits, label).ToSingle(), Is.EqualTo(1f / 3f + (float)Math.Log(2)).Within(1e-5));
    }

    [Test]
    public void Loss_IgnoredPixelsDoNotChangeTheValue()
    {
        var logits = tensor(new float[] { 2f, -1f, 0.5f, 100f, -100f }).reshape(1, 1, 1, 5);
        var label = tensor(new float[] { 1, 0, 1, 255, 255 }).reshape(1, 1, 5);
        var trimmedLogits = tensor(new float[] { 2f, -1f, 0.5f }).reshape(1, 1, 1, 3);
        var trimmedLabel = tensor(new float[] { 1, 0, 1 }).reshape(1, 1, 3);
        Assert.That(Losses.DiceBce(logits, label).ToSingle(), Is.EqualTo(Losses.DiceBce(trimmedLogits, trimmedLabel).ToSingle()).Within(1e-6));
        // And a confident wrong prediction on an ignored pixel costs nothing, while on a valid one it does.
        var wrong = tensor(new float[] { 2f, -1f, 0.5f, -100f, 100f }).reshape(1, 1, 1, 5);
        Assert.That(Losses.DiceBce(wrong, label).ToSingle(), Is.EqualTo(Losses.DiceBce(logits, label).ToSingle()).Within(1e-6));
        var wrongValid = tensor(new float[] { -2f, -1f, 0.5f, 100f, -100f }).reshape(1, 1, 1, 5);
        Assert.That(Losses.DiceBce(wrongValid, label).ToSingle(), Is.GreaterThan(Losses.DiceBce(logits, label).ToSingle() + 0.1f));
    }

    [Test]
    public void Loss_PriorAtLowerResolutionIsUpsampledToTheLabel()
    {
        var prior = full(1, 1, 2, 2, 3f);
        var label = ones(1, 4, 4);
        var expected = Losses.DiceBce(full(1, 1, 4, 4, 3f), label).ToSingle();
        Assert.That(Losses.DiceBce(prior, label).ToSingle(), Is.EqualTo(expected).Within(1e-6));
    }
}
