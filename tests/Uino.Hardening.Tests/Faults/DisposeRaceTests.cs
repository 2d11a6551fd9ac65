using System.Collections.Concurrent;
using NUnit.Framework;
using Uino.Hardening.Support;

namespace Uino.Hardening.Faults;

/// <summary>
/// Dispose from one thread while others are inside every kind of session call, repeated: each call either
/// completes correctly or throws <see cref="ObjectDisposedException"/>; nothing else, no crash, no hang.
/// </summary>
public class DisposeRaceTests
{
    private static readonly byte[] Frame = Pattern(40 * 30 * 3);
    private static readonly byte[] Mask = Enumerable.Range(0, 40 * 30).Select(i => (byte)(i % 40 < 20 ? 255 : 0)).ToArray();

    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

    [Test]
    public void DisposeWhileEveryEntryPointIsInUseGivesObjectDisposedOnly()
    {
        var unexpected = new ConcurrentBag<string>();
        int completed = 0, disposedSeen = 0;
        for (int round = 0; round < 20; round++)
        {
            var session = TinyModels.Open();
            using var start = new Barrier(5);
            var threads = Enumerable.Range(0, 4).Select(id => new Thread(() =>
            {
                start.SignalAndWait();
                var mask = new byte[40 * 30];
                while (true)
                {
                    try
                    {
                        Call(session, id, mask);
                        Interlocked.Increment(ref completed);
                    }
                    catch (ObjectDisposedException) { Interlocked.Increment(ref disposedSeen); return; }
                    catch (Exception e) { unexpected.Add($"round {round}, thread {id}: {e.GetType().Name}: {e.Message}"); return; }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            start.SignalAndWait();
            Thread.Sleep(5 + round * 7 % 60);          // dispose at a different point of the calls each round
            session.Dispose();
            foreach (var t in threads) Assert.That(t.Join(TimeSpan.FromMinutes(1)), Is.True, $"round {round}: a thread hung after Dispose");
        }
        TestContext.Out.WriteLine($"20 rounds: {completed} calls completed, {disposedSeen} threads ended with ObjectDisposedException");
        Assert.That(unexpected, Is.Empty, string.Join("\n", unexpected));
        Assert.That(disposedSeen, Is.EqualTo(80), "every thread of every round ended with ObjectDisposedException");
    }

    private static void Call(UinoSession session, int id, byte[] mask)
    {
        var frame = new PixelBuffer(Frame, 40, 30, 120, PixelFormat.Rgb8);
        switch (id)
        {
            case 0: session.Segment(frame); break;
            case 1: session.SegmentInto(frame, mask); break;
            case 2: session.AddReference(frame, Mask); break;   // (no ClearReferences: a Segment racing it would rightly say NoReference)
            default: _ = session.ReferenceCount; session.Segment(HardeningPaths.Sample("query.png")); break;
        }
    }
}
