using NUnit.Framework;
using Uino.Viewer.Live;
using Uino.Viewer.Platform;
using Uino.Viewer.Rendering;

namespace Uino.Viewer.Tests;

/// <summary>The pieces the live pipeline is built from, in process: newest-only hand-over, pooling, layout, scripts.</summary>
[TestFixture]
public sealed class LivePipelineTests
{
    private sealed class Item : PooledItem;

    [Test]
    public void SlowReaderGetsOnlyTheNewestAndThePoolStaysSmall()
    {
        using var pool = new ItemPool<Item>(() => new Item());
        using var slot = new LatestSlot<Item>();
        long seen = 0;
        var taken = new List<long>();
        for (long i = 1; i <= 1000; i++)
        {
            var item = pool.Rent();
            item.Sequence = i;
            slot.Publish(item);
            if (i % 97 != 0) continue;   // the reader wakes up now and then
            var newest = slot.TakeNewer(seen)!;
            taken.Add(newest.Sequence);
            seen = newest.Sequence;
            Assert.That(slot.TakeNewer(seen), Is.Null, "the same frame was handed out twice");
            newest.Release();
        }
        Assert.That(taken, Is.EqualTo(Enumerable.Range(1, 10).Select(k => 97L * k)), "the reader must see the newest frame, never a queued old one");
        Assert.That(pool.Created, Is.LessThanOrEqualTo(3), "buffers must be reused, not allocated per frame");
        Assert.That(slot.Replaced, Is.EqualTo(999 - 10 + 10));
    }

    [Test]
    public void ReleasingTwiceIsCaught()
    {
        using var pool = new ItemPool<Item>(() => new Item());
        var item = pool.Rent();
        item.Release();
        Assert.Throws<InvalidOperationException>(item.Release);
    }

    [Test]
    public void LetterboxMapsWindowPixelsToFramePixels()
    {
        var layout = FrameLayout.Fit(640, 480, 1000, 500);   // height-bound: scale 500/480
        Assert.That(layout.Scale, Is.EqualTo(500.0 / 480).Within(1e-12));
        Assert.That(layout.Y, Is.EqualTo(0));
        Assert.That(layout.X, Is.EqualTo(Math.Floor((1000 - 640 * layout.Scale) / 2)));
        var (wx, wy) = layout.ToWindow(123, 45);
        var (fx, fy) = layout.ToFrame(wx, wy);
        Assert.That((fx, fy), Is.EqualTo((123.0, 45.0)).Using<(double, double)>((a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-9 && Math.Abs(a.Item2 - b.Item2) < 1e-9));
    }

    [Test]
    public void ScriptEventsFireAtTheirFrameInFileOrder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"uino-script-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "5 key enter\n2 move 10 20   # comment\n2 press left\n\n9 resize 300 200\n9 quit\n");
        try
        {
            var script = InputScript.Load(path);
            var sink = new Queue<InputEvent>();
            script.Feed(1, sink);
            Assert.That(sink, Is.Empty);
            script.Feed(2, sink);
            Assert.That(sink.ToArray(), Is.EqualTo(new[] { InputEvent.Move(10, 20), InputEvent.Down(MouseButton.Left) }));
            sink.Clear();
            script.Feed(8, sink);   // frames may be skipped: everything due is sent
            Assert.That(sink.ToArray(), Is.EqualTo(new[] { InputEvent.KeyDown(ViewerKey.Enter) }));
            sink.Clear();
            script.Feed(9, sink);
            Assert.That(sink.Select(e => e.Kind), Is.EqualTo(new[] { InputKind.RequestResize, InputKind.Quit }));
            Assert.That(script.Finished);
        }
        finally { File.Delete(path); }
    }
}
