using System.Collections.Concurrent;
using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Hardening.Child;
using Uino.Hardening.Support;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Hardening.Concurrency;

/// <summary>
/// 4 threads × 2 sessions (two different models, so a mix-up would show), every thread calling both sessions through
/// every entry point: each result must equal, bit for bit, the single-threaded result of the same session and frame.
/// </summary>
public class StressTests
{
    private const int Rounds = 6;

    [Test]
    public void FourThreadsOnTwoSessionsGiveTheSingleThreadedResults()
    {
        using var folder = new TempFolder();
        var second = folder.File("tiny-seed-12.safetensors");
        TinyModelFile.Save(second, seed: 12);
        using var a = TinyModels.Open();
        using var b = TinyModels.Open(second);
        var sessions = new[] { a, b };
        var frames = new[] { "query.png", "queries/query2.png", "queries/query3.png" }.Select(Frame).ToArray();

        // Single-threaded reference answers: [session][frame].
        var expected = sessions.Select(s => frames.Select(f => s.Segment(new PixelBuffer(f.Rgb, f.W, f.H, f.W * 3, PixelFormat.Rgb8))).ToArray()).ToArray();
        Assert.That(expected[0][0].Probabilities.ToArray(), Is.Not.EqualTo(expected[1][0].Probabilities.ToArray()), "the two models differ");

        var errors = new ConcurrentBag<string>();
        int calls = 0;
        var threads = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            try
            {
                for (int round = 0; round < Rounds; round++)
                    for (int s = 0; s < 2; s++)
                    {
                        int si = (s + id) % 2, fi = (round + id) % frames.Length;
                        Check(sessions[si], frames[fi], expected[si][fi], round % 2 == 0, $"thread {id} session {si} frame {fi}", errors);
                        Interlocked.Increment(ref calls);
                    }
            }
            catch (Exception e) { errors.Add($"thread {id}: {e}"); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.That(t.Join(TimeSpan.FromMinutes(3)), Is.True, "thread finished"));
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(calls, Is.EqualTo(4 * Rounds * 2));
    }

    private static void Check(UinoSession session, (byte[] Rgb, int W, int H) frame, SegmentationResult expected, bool into,
                              string what, ConcurrentBag<string> errors)
    {
        var buffer = new PixelBuffer(frame.Rgb, frame.W, frame.H, frame.W * 3, PixelFormat.Rgb8);
        byte[] mask;
        float[] probabilities;
        if (into)
        {
            mask = new byte[frame.W * frame.H];
            probabilities = new float[mask.Length];
            float score = session.SegmentInto(buffer, mask, 0, probabilities);
            if (score != expected.Score) errors.Add($"{what}: score {score} != {expected.Score}");
        }
        else
        {
            var r = session.Segment(buffer);
            (mask, probabilities) = (r.Mask.ToArray(), r.Probabilities.ToArray());
        }
        if (!mask.AsSpan().SequenceEqual(expected.Mask.Span)) errors.Add($"{what}: mask differs");
        if (!probabilities.AsSpan().SequenceEqual(expected.Probabilities.Span)) errors.Add($"{what}: probabilities differ");
    }

    private static (byte[] Rgb, int W, int H) Frame(string name)
    {
        using var image = Image.Load<Rgb24>(HardeningPaths.Sample(name));
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return (rgb, image.Width, image.Height);
    }

    /// <summary>
    /// Found by the model-file campaign at 90 s: network constructors (ours and TorchSharp's convolutions) handed
    /// temporaries — tensors, and Scalars made from C# numbers — to native ops without keeping them referenced, so a
    /// collection on another thread could free one mid-op and crash the process (SIGSEGV in libtorch). Four threads
    /// build networks, on the CPU and on meta, while a fifth forces collections; before the fix 6 of 7 runs of 40 s
    /// crashed. UINO_STRESS_SECONDS sets the length (default 20 s).
    /// </summary>
    [Test]
    public void NetworksBuiltOnFourThreadsUnderCollectionPressure()
    {
        int seconds = int.TryParse(Environment.GetEnvironmentVariable("UINO_STRESS_SECONDS"), out var s) && s > 0 ? s : 20;
        var config = UinoFssPresets.TestTiny(UinoVariant.Full, 56);
        var until = DateTime.UtcNow.AddSeconds(seconds);
        var errors = new ConcurrentBag<Exception>();
        long builds = 0;
        var threads = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            try
            {
                while (DateTime.UtcNow < until)
                {
                    new UinoFss(config, id % 2 == 0 ? META : null).Dispose();
                    Interlocked.Increment(ref builds);
                }
            }
            catch (Exception e) { errors.Add(e); }
        })).Append(new Thread(() =>
        {
            while (DateTime.UtcNow < until)
            {
                GC.Collect(0);
                Thread.Sleep(1);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        TestContext.Out.WriteLine($"{builds} networks built in {seconds} s");
        Assert.That(errors, Is.Empty);
        Assert.That(builds, Is.GreaterThan(0));
    }

    /// <summary>
    /// A live loop beside a thread that allocates (a camera thread, a UI): TorchSharp 0.107's operators hand native
    /// code Scalars made on the fly (<c>a + b</c> passes a fresh alpha of 1; <c>x * 0.5</c> a fresh 0.5) and keep no
    /// reference to them, so a collection triggered by the other thread during the op could free one the op still
    /// reads ("Expected false to be true" from <c>Scalar::toFloat</c>, or a wrong value). Frames under that pressure
    /// must equal the quiet ones bit for bit. <see cref="TemporaryScalarTests"/> keeps such calls out of the code.
    /// UINO_STRESS_SECONDS sets the length (default 20 s).
    /// </summary>
    [Test]
    public void FramesBesideAnAllocatingThreadEqualTheQuietOnes()
    {
        int seconds = int.TryParse(Environment.GetEnvironmentVariable("UINO_STRESS_SECONDS"), out var s) && s > 0 ? s : 20;
        using var session = TinyModels.Open();
        var frames = new[] { "query.png", "queries/query2.png" }.Select(Frame).ToArray();
        var expected = frames.Select(f => session.Segment(new PixelBuffer(f.Rgb, f.W, f.H, f.W * 3, PixelFormat.Rgb8))).ToArray();
        var errors = new ConcurrentBag<string>();
        var until = DateTime.UtcNow.AddSeconds(seconds);
        long garbage = 0;
        var allocator = new Thread(() =>
        {
            var keep = new byte[32][];
            for (long i = 0; DateTime.UtcNow < until; i++)
            {
                keep[i & 31] = new byte[32 * 1024];
                garbage++;
            }
        });
        allocator.Start();
        int calls = 0;
        try
        {
            while (DateTime.UtcNow < until)
            {
                int fi = calls % frames.Length;
                Check(session, frames[fi], expected[fi], calls % 2 == 0, $"call {calls} frame {fi}", errors);
                calls++;
            }
        }
        catch (Exception e) { errors.Add($"call {calls}: {e.Message.Split('\n')[0]}"); }
        allocator.Join();
        TestContext.Out.WriteLine($"{calls} frames beside {garbage:N0} allocations of 32 KB, {GC.CollectionCount(0)} gen-0 collections so far");
        Assert.That(errors, Is.Empty, string.Join("\n", errors.Take(5)));
        Assert.That(calls, Is.GreaterThan(10));
    }
}
