using System.Diagnostics;
using Uino.Viewer.Sources;

namespace Uino.Viewer.Live;

/// <summary>
/// The capture thread: decodes frames into pooled buffers and publishes each as the newest frame. Files and
/// folders are paced to their frame rate (a camera paces itself); nobody waits for readers, so a slow reader
/// simply skips frames. A live source that stops delivering (unplugged, driver reset) is reopened with growing
/// pauses for up to <c>reconnectFor</c>; meanwhile the display keeps showing the last frame and says so.
/// </summary>
internal sealed class CaptureLoop : IDisposable
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private readonly IFrameSource source;
    private readonly bool loop;
    private readonly TimeSpan reconnectFor, firstPause;
    private readonly LatestSlot<Frame> output;
    private readonly ItemPool<Frame> pool;
    private readonly Thread thread;
    private readonly ManualResetEventSlim stopSignal = new();
    private volatile bool stopping;

    public RateMeter Rate { get; } = new();
    /// <summary>The source ended (no loop), failed, or stayed away longer than the reconnect time.</summary>
    public bool Ended { get; private set; }
    /// <summary>Why the source ended or what it is doing about it ("… reconnecting"); null while all is well.</summary>
    public string? Problem { get; private set; }
    /// <summary>How many times a live source came back after it stopped.</summary>
    public int Reconnects { get; private set; }

    /// <param name="reconnectFor">How long to keep reopening a live source that stopped (zero: end at once).</param>
    /// <param name="firstPause">The first pause before reopening; it doubles up to two seconds.</param>
    public CaptureLoop(IFrameSource source, bool loop, LatestSlot<Frame> output, ItemPool<Frame> pool,
                       TimeSpan reconnectFor = default, TimeSpan? firstPause = null)
    {
        (this.source, this.loop, this.output, this.pool) = (source, loop, output, pool);
        this.reconnectFor = reconnectFor;
        this.firstPause = firstPause ?? TimeSpan.FromMilliseconds(250);
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
            string? failure = null;
            try { ok = source.Read(frame.Image); }
            catch (Exception e) { ok = false; failure = e.Message; }
            if (!ok)
            {
                frame.Release();
                if (source.IsLive)
                {
                    if (Reconnect(failure)) { clock.Restart(); continue; }
                    break;
                }
                if (failure is not null) { Problem = $"{source.Description} failed: {failure}"; break; }
                // A rewind that yields no frame twice in a row means the file cannot be replayed: stop, do not spin.
                if (loop && source.Rewind() && ++emptyRewinds < 3) continue;
                break;
            }
            emptyRewinds = 0;
            frame.Sequence = ++sequence;
            output.Publish(frame);
            Rate.Tick();
            if (source.IsLive) continue;
            paced++;
            double due = paced / source.Fps, now = clock.Elapsed.TotalSeconds;
            if (due > now) stopSignal.Wait(TimeSpan.FromSeconds(due - now));
            else if (now - due > 1) { clock.Restart(); paced = 0; }   // fell far behind (machine busy): do not burst to catch up
        }
        Ended = true;
    }

    // Reopens a live source with doubling pauses until it delivers again, the time is up or the loop is stopped.
    private bool Reconnect(string? failure)
    {
        string lost = $"{source.Description} stopped delivering frames{(failure is null ? "" : $" ({failure})")}";
        var away = Stopwatch.StartNew();
        var pause = firstPause;
        for (int attempt = 1; !stopping && away.Elapsed < reconnectFor; attempt++)
        {
            Problem = $"{lost}; reconnecting (attempt {attempt})";
            if (stopSignal.Wait(pause)) return false;
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            bool back;
            try { back = source.Reopen(); }
            catch (Exception) { back = false; }   // a half-present device may throw: just try again later
            if (!back) continue;
            Reconnects++;
            Problem = null;
            return true;
        }
        Problem = reconnectFor > TimeSpan.Zero ? $"{lost}; gave up after {reconnectFor.TotalSeconds:0.#} s" : lost;
        return false;
    }

    public void Dispose()
    {
        stopping = true;
        stopSignal.Set();
        if (thread.IsAlive) thread.Join();
        stopSignal.Dispose();
    }
}
