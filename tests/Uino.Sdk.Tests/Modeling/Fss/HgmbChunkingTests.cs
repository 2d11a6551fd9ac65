using NUnit.Framework;
using Uino.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>The HGMB's inference-time patch chunking changes nothing but memory.</summary>
public class HgmbChunkingTests
{
    [Test]
    public void ChunkedInferenceEqualsTheSingleCallOfTraining()
    {
        manual_seed(3);
        using var hgmb = new Hgmb(3, 8, queryPartition: 2, supportPartition: 2, dState: 4);
        // 18×18 query (not a multiple of 4: padding and crop), 4×4 support: 9·9·2·2 = 324 patches, 6 chunks of 64.
        using var volume = randn(new long[] { 1, 3, 18, 18, 4, 4 });
        Assert.That(9 * 9 * 2 * 2, Is.GreaterThan(Hgmb.PatchChunk));
        using var single = hgmb.call(volume).detach();                // grad mode: one VSS call over every patch
        Tensor chunked;
        using (inference_mode()) chunked = hgmb.call(volume);
        TensorAssert.AllClose(chunked, single, 1e-6, 1e-5, "chunked HGMB output");
        chunked.Dispose();
    }
}
