using System.Diagnostics;
using static TorchSharp.torch;

namespace Uino.Api;

/// <summary>
/// Where a frame's time goes: named stages accumulate wall time per frame (<c>uino bench</c>'s <c>stages_ms</c>).
/// Timing is off unless a clock is attached, and then costs two timestamps per stage. On CUDA each stage ends with a
/// device synchronisation, since kernels run asynchronously and would otherwise be charged to a later stage.
/// </summary>
internal sealed class StageClock(bool synchronizeCuda = false)
{
    /// <summary>The stages of a frame, in order (the JSON keys of <c>uino bench</c>).</summary>
    public static readonly string[] FrameStages =
    [
        "preprocess", "encoder", "adapter", "visual_prompt", "correlation", "hypercorrelation", "dense_prompt", "decoder", "postprocess",
    ];

    /// <summary>
    /// The clock that modules deep in the network (HGMB, SS2D) report their sub-steps to, for the benchmarks'
    /// breakdown of the hypercorrelation stage. Ambient rather than passed down, so the modules' forward signatures
    /// stay those of the official code; per thread, since only the calling thread times anything. Null (off) by default.
    /// </summary>
    [ThreadStatic] internal static StageClock? Detail;

    private readonly Dictionary<string, double> totals = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private readonly object gate = new();

    /// <summary>Frames counted by <see cref="EndFrame"/>.</summary>
    public int Frames { get; private set; }

    /// <summary>Starts timing <paramref name="name"/>; disposing the scope adds the elapsed time. A null clock times nothing.</summary>
    public static Scope Time(StageClock? clock, string name) => new(clock, name);

    /// <summary>Times a sub-step on the ambient <see cref="Detail"/> clock (nothing when it is off).</summary>
    public static Scope Sub(string name) => new(Detail, name);

    public void EndFrame() { lock (gate) Frames++; }

    /// <summary>Mean milliseconds per frame of every stage in <see cref="FrameStages"/> (0 for a stage the variant skips).</summary>
    public IReadOnlyDictionary<string, double> MeanMilliseconds()
    {
        lock (gate)
            return FrameStages.ToDictionary(s => s, s => Frames == 0 ? 0 : totals.GetValueOrDefault(s) / Frames);
    }

    /// <summary>Mean milliseconds per frame of every name timed so far, in first-seen order (the sub-step breakdown).</summary>
    public IReadOnlyList<(string Name, double Milliseconds)> AllMeanMilliseconds()
    {
        lock (gate)
            return order.Select(s => (s, Frames == 0 ? 0 : totals[s] / Frames)).ToList();
    }

    private void Add(string name, double ms)
    {
        lock (gate)
        {
            if (!totals.ContainsKey(name)) order.Add(name);
            totals[name] = totals.GetValueOrDefault(name) + ms;
        }
    }

    public readonly struct Scope : IDisposable
    {
        private readonly StageClock? clock;
        private readonly string name;
        private readonly long start;

        internal Scope(StageClock? clock, string name)
        {
            this.clock = clock;
            this.name = name;
            start = clock is null ? 0 : Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (clock is null) return;
            if (clock.SynchronizeCuda) cuda.synchronize();
            clock.Add(name, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private bool SynchronizeCuda => synchronizeCuda;
}
