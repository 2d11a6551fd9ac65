using NUnit.Framework;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>The paper's parameter counts (Sec. IV-C1, V-C3, Table IV) for the ViT-B/14 models.</summary>
[NonParallelizable] // builds on the meta device, which is process-wide
public class ParameterCountTests
{
    private static ParameterCounts Counts(UinoVariant variant)
    {
        set_default_device(META);
        try
        {
            using var model = new UinoFss(UinoFssConfig.Preset("vitb14", variant));
            return ParameterCounts.Of(model);
        }
        finally { set_default_device(CPU); }
    }

    private static void Near(long actual, double paper, double tolerance, string what) =>
        Assert.That(actual, Is.InRange(paper * (1 - tolerance), paper * (1 + tolerance)), $"{what}: {actual:N0} vs paper {paper:N0}");

    [Test]
    public void FullModelMatchesThePaper()
    {
        var c = Counts(UinoVariant.Full);
        Near(c.Trainable, 4.6e6, 0.03, "trainable (full)");
        Near(c.MambaDensePrompt, 0.5e6, 0.03, "Mamba dense prompt generator");
        Near(c.MambaHyperCorrelation, 0.18e6, 0.03, "MHCM");
        Near(c.BottleneckAdapter, 1.25e6, 0.01, "adapter (footnote 3's layer list)");
        Near(c.SegmenterTotal, 5.6e6, 0.05, "segmenter");
        Assert.That(c.SegmenterTotal, Is.EqualTo(c.BottleneckAdapter + c.Trainable));
        Near(c.Encoder, 86.6e6, 0.01, "DINOv2 ViT-B/14");
    }

    [Test]
    public void CompactVariantsMatchThePaper()
    {
        Near(Counts(UinoVariant.Comp).Trainable, 4.1e6, 0.03, "trainable (Comp)");
        Near(Counts(UinoVariant.CompStar).Trainable, 0.07e6, 0.05, "trainable (Comp*)");
        Assert.That(Counts(UinoVariant.Comp).MambaDensePrompt, Is.Zero);
    }
}
