using System.Diagnostics;

namespace Uino.Viewer.Live;

/// <summary>
/// Events per second over the last couple of seconds (display frames, finished inferences), from a fixed ring of
/// timestamps: no allocation per event. Thread-safe.
/// </summary>
internal sealed class RateMeter
{
    private const double WindowSeconds = 2.0;
    private readonly long[] stamps = new long[256];
    private int count, head;
    private long total;

    public long Total { get { lock (stamps) return total; } }

    public void Tick()
    {
        lock (stamps)
        {
            stamps[head] = Stopwatch.GetTimestamp();
            head = (head + 1) % stamps.Length;
            if (count < stamps.Length) count++;
            total++;
        }
    }

    /// <summary>Events per second in the last <see cref="WindowSeconds"/> s (0 with fewer than two).</summary>
    public double PerSecond
    {
        get
        {
            lock (stamps)
            {
                if (count < 2) return 0;
                long now = Stopwatch.GetTimestamp(), newest = stamps[(head - 1 + stamps.Length) % stamps.Length];
                if (Stopwatch.GetElapsedTime(newest, now).TotalSeconds > WindowSeconds) return 0;
                int n = 1;
                long oldest = newest;
                for (int i = 2; i <= count; i++)
                {
                    long t = stamps[(head - i + stamps.Length) % stamps.Length];
                    if (Stopwatch.GetElapsedTime(t, now).TotalSeconds > WindowSeconds) break;
                    oldest = t;
                    n++;
                }
                double span = Stopwatch.GetElapsedTime(oldest, newest).TotalSeconds;
                return n < 2 || span <= 0 ? 0 : (n - 1) / span;
            }
        }
    }
}
