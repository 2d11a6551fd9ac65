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

    private readonly Dictionary<string, double> totals = new(StringComparer.Ordinal);
    private readonly object gate = new();

    /// <summary>Frames counted by <see cref="EndFrame"/>.</summary>
    public int Frames { get; private set; }

    /// <summary>Starts timing <paramref name="name"/>; disposing the scope adds the elapsed time. A null clock times nothing.</summary>
    public static Scope Time(StageClock? clock, string name) => new(clock, name);

    public void EndFrame() { lock (gate) Frames++; }

    /// <summary>Mean milliseconds per frame of every stage in <see cref="FrameStages"/> (0 for a stage the variant skips).</summary>
    public IReadOnlyDictionary<string, double> MeanMilliseconds()
    {
        lock (gate)
            return FrameStages.ToDictionary(s => s, s => Frames == 0 ? 0 : totals.GetValueOrDefault(s) / Frames);
    }

    private void Add(string name, double ms)
    {
        lock (gate) totals[name] = totals.GetValueOrDefault(name) + ms;
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
