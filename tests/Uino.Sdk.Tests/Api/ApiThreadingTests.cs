using System.Collections.Concurrent;
using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;

namespace Uino.Tests.Api;

/// <summary>One session shared by threads: serialised calls, identical answers, and a safe Dispose under load.</summary>
public class ApiThreadingTests
{
    private static byte[] QueryRgb()
    {
        using var image = Image.Load<Rgb24>(ApiModels.QueryImage);
        var bytes = new byte[256 * 256 * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }

    private static SegmentationResult Run(UinoSession s, byte[] rgb) => s.Segment(new PixelBuffer(rgb, 256, 256, 768, PixelFormat.Rgb8));

    [Test]
    public void ThreadsSegmentingTheSameFrameGetIdenticalMasks()
    {
        using var session = ApiModels.Open();
        var rgb = QueryRgb();
        var expected = Run(session, rgb);
        var results = new ConcurrentBag<SegmentationResult>();
        var errors = new ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try { for (int i = 0; i < 3; i++) results.Add(Run(session, rgb)); }
            catch (Exception e) { errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.That(t.Join(TimeSpan.FromMinutes(2)), Is.True, "thread finished"));
        Assert.That(errors, Is.Empty);
        Assert.That(results, Has.Count.EqualTo(12));
        foreach (var r in results)
        {
            Assert.That(r.Mask.ToArray(), Is.EqualTo(expected.Mask.ToArray()));
            Assert.That(r.Probabilities.ToArray(), Is.EqualTo(expected.Probabilities.ToArray()));
        }
    }

    [Test]
    public void DisposeDuringUseWaitsThenEveryCallFailsWithObjectDisposed()
    {
        var session = ApiModels.Open();
        var rgb = QueryRgb();
        var expected = Run(session, rgb);
        int completed = 0;
        var unexpected = new ConcurrentBag<Exception>();
        var wrong = new ConcurrentBag<string>();
        var disposedSeen = new ConcurrentBag<int>();
        var threads = Enumerable.Range(0, 3).Select(id => new Thread(() =>
        {
            while (true)
            {
                try
                {
                    var r = Run(session, rgb);
                    // Whatever returned must be a complete, correct answer: never one computed on freed weights.
                    if (!r.Probabilities.Span.SequenceEqual(expected.Probabilities.Span)) wrong.Add($"thread {id}");
                    Interlocked.Increment(ref completed);
                }
                catch (ObjectDisposedException) { disposedSeen.Add(id); return; }
                catch (Exception e) { unexpected.Add(e); return; }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (Volatile.Read(ref completed) < 4 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        session.Dispose();                                    // threads are mid-call or queued on the lock
        threads.ForEach(t => Assert.That(t.Join(TimeSpan.FromMinutes(2)), Is.True, "thread finished"));
        TestContext.Out.WriteLine($"{completed} segments completed before Dispose");
        Assert.That(completed, Is.GreaterThanOrEqualTo(4));
        Assert.That(unexpected, Is.Empty, string.Join("\n", unexpected));
        Assert.That(wrong, Is.Empty);
        Assert.That(disposedSeen.OrderBy(i => i), Is.EqualTo(new[] { 0, 1, 2 }), "every thread ended with ObjectDisposedException");
        Assert.Throws<ObjectDisposedException>(() => Run(session, rgb));
    }

    [Test]
    public void AddingReferencesWhileOthersSegmentIsSerialised()
    {
        using var session = ApiModels.Open();
        var rgb = QueryRgb();
        var errors = new ConcurrentBag<Exception>();
        var segmenter = new Thread(() =>
        {
            try { for (int i = 0; i < 6; i++) Assert.That(Run(session, rgb).Width, Is.EqualTo(256)); }
            catch (Exception e) { errors.Add(e); }
        });
        segmenter.Start();
        session.AddReference(ApiModels.Sample("queries/query2.png"), ApiModels.Sample("queries/query2.mask.png"));
        session.AddReference(ApiModels.Sample("queries/query3.png"), ApiModels.Sample("queries/query3.mask.png"));
        Assert.That(segmenter.Join(TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(errors, Is.Empty);
        Assert.That(session.ReferenceCount, Is.EqualTo(3));
    }
}

/// <summary>Long-running use: resident memory stays flat once warm.</summary>
public class ApiSoakTests
{
    [Test]
    public void FiveHundredSegmentsDoNotGrowResidentMemory()
    {
        // One intra-op thread: OpenMP workers on a shared, oversubscribed CPU make RSS drift by a few MB from
        // allocator arenas (seen: +8.7 MB over 500 at 2 threads, load 20), which would hide or fake a leak; with
        // one thread RSS is flat to ±0.5 MB over 3000 calls. It also checks the Threads option. Input 56 (4×4
        // tokens) runs the same code path as any size.
        int previousThreads = TorchSharp.torch.get_num_threads();
        try
        {
            using var session = new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Full, InputSize = 56, Threads = 1 });
            Assert.That(TorchSharp.torch.get_num_threads(), Is.EqualTo(1), "Threads option applied");
            session.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask);
            Soak(session);
        }
        finally
        {
            TorchSharp.torch.set_num_threads(previousThreads);
        }
    }

    private static void Soak(UinoSession session)
    {
        var rgb = new byte[64 * 48 * 3];
        new Random(3).NextBytes(rgb);
        var mask = new byte[64 * 48];
        var probabilities = new float[64 * 48];
        long Rss()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return ProcessMemory.ResidentBytes() ?? throw new InvalidOperationException("no /proc/self/status");
        }
        // RSS climbs while allocator and kernel caches settle, then is flat. On a faster machine that takes more calls:
        // +30 MB over the first 250, +4-5 MB over the next 250, then ±0.6 MB over 250 more (2026-12-04), so 250
        // warm-up calls let the tail of the warm-up fail the bound below with no leak; 500 are past it.
        long cold = Rss();
        for (int i = 0; i < 500; i++) session.Segment(new PixelBuffer(rgb, 64, 48, 192, PixelFormat.Rgb8));
        long warm = Rss();
        long liveTensors = TorchSharp.torch.Tensor.TotalCount;
        // A leak grows every window by the same amount; the allocator's settling (larger after other tests of the
        // process loaded big models: +4-6 MB in one window of a full suite run, 2026-12-08) does not repeat. So up to
        // three windows of 500 calls are measured and one of them must stay under the bound.
        var windows = new List<double>();
        for (int w = 0; w < 3; w++)
        {
            long start = Rss();
            for (int i = 0; i < 500; i++)
            {
                if (i % 2 == 0) session.Segment(new PixelBuffer(rgb, 64, 48, 192, PixelFormat.Rgb8));
                else session.SegmentInto(new PixelBuffer(rgb, 64, 48, 192, PixelFormat.Rgb8), mask, 0, probabilities);
            }
            Assert.That(TorchSharp.torch.Tensor.TotalCount, Is.EqualTo(liveTensors), "live tensors after 500 segments: every tensor of a call is freed");
            windows.Add((Rss() - start) / 1048576.0);
            if (windows[^1] < 4.0) break;
        }
        TestContext.Out.WriteLine($"VmRSS before warm-up: {cold / 1048576.0:F1} MB; after 500 warm-up segments: {warm / 1048576.0:F1} MB; " +
                                  $"growth per window of 500: {string.Join(", ", windows.Select(g => g.ToString("+0.0;-0.0")))} MB");
        Assert.That(windows.Min(), Is.LessThan(4.0), "resident memory grew in every window of 500 segments");
    }
}
