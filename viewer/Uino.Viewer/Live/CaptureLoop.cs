using System.Diagnostics;
using Uino.Viewer.Sources;

namespace Uino.Viewer.Live;

/// <summary>
/// The capture thread: decodes frames into pooled buffers and publishes each as the newest frame. Files and
/// folders are paced to their frame rate (a camera paces itself); nobody waits for readers, so a slow reader
/// simply skips frames.
/// </summary>
internal sealed class CaptureLoop : IDisposable
{
    private readonly IFrameSource source;
    private readonly bool loop;
    private readonly LatestSlot<Frame> output;
    private readonly ItemPool<Frame> pool;
    private readonly Thread thread;
    private volatile bool stopping;

    public RateMeter Rate { get; } = new();
    /// <summary>The source ended (no loop) or failed; <see cref="Problem"/> says why when it failed.</summary>
    public bool Ended { get; private set; }
    public string? Problem { get; private set; }

    public CaptureLoop(IFrameSource source, bool loop, LatestSlot<Frame> output, ItemPool<Frame> pool)
    {
        (this.source, this.loop, this.output, this.pool) = (source, loop, output, pool);
        thread = new Thread(Run) { Name = "uino capture", IsBackground = true };
    }

    public void Start() => thread.Start();

    private void Run()
    {
        long sequence = 0, paced = 0;
        var clock = Stopwatch.StartNew();
        int emptyRewinds = 0;
        while (!stopping)
        {
            var frame = pool.Rent();
            bool ok;
            try { ok = source.Read(frame.Image); }
            catch (Exception e) { frame.Release(); Problem = $"{source.Description} failed: {e.Message}"; break; }
            if (!ok)
            {
                frame.Release();
                // A rewind that yields no frame twice in a row means the file cannot be replayed: stop, do not spin.
                if (loop && source.Rewind() && ++emptyRewinds < 3) continue;
                if (source.IsLive) Problem = $"{source.Description} stopped delivering frames.";
                break;
            }
            emptyRewinds = 0;
            frame.Sequence = ++sequence;
            output.Publish(frame);
            Rate.Tick();
            if (source.IsLive) continue;
            paced++;
            double due = paced / source.Fps, now = clock.Elapsed.TotalSeconds;
            if (due > now) Thread.Sleep(TimeSpan.FromSeconds(due - now));
            else if (now - due > 1) { clock.Restart(); paced = 0; }   // fell far behind (machine busy): do not burst to catch up
        }
        Ended = true;
    }

    public void Dispose()
    {
        stopping = true;
        if (thread.IsAlive) thread.Join();
    }
}
