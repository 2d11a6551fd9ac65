using System.Diagnostics;
using NUnit.Framework;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>
/// The full-size ViT-B/14 UINO-FSS at 518 px on random weights runs on this CPU; prints the time of a frame with the
/// reference cached and of the uncached path (reference + frame). Not a benchmark (see <c>uino bench</c>): it
/// checks the real model end to end and gives the order of magnitude.
/// </summary>
[Category("Slow")]
public class FullModelTimingTests
{
    [Test]
    public void VitB518ForwardRunsCachedAndUncached()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new UinoFss(UinoFssConfig.Preset("vitb14"));
        model.eval();
        var support = randn(new long[] { 1, 1, 3, 518, 518 });
        var masks = zeros(1, 1, 518, 518);
        masks[.., .., 100..300, 150..400] = 1;
        var query = randn(1, 3, 518, 518);
        using var _ = inference_mode();

        using (var warm = model.EncodeReference(support, masks)) model.Segment(query, warm).Dispose();
        var sw = Stopwatch.StartNew();
        using var reference = model.EncodeReference(support, masks);
        var referenceMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        using var cached = model.Segment(query, reference);
        var cachedMs = sw.Elapsed.TotalMilliseconds;
        TestContext.Out.WriteLine($"ViT-B/14 @518 full: reference {referenceMs:F0} ms, frame (cached) {cachedMs:F0} ms, uncached {referenceMs + cachedMs:F0} ms");

        Assert.That(cached.MaskLogits.shape, Is.EqualTo(new long[] { 1, 1, 518, 518 }));
        Assert.That(cached.PriorLogits!.shape, Is.EqualTo(new long[] { 1, 1, 148, 148 }));
        Assert.That(cached.MaskLogits.isfinite().all().item<bool>(), Is.True);
    }
}
