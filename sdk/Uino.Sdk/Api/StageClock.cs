using System.Diagnostics;
using Uino.Modeling;
using static TorchSharp.torch;

namespace Uino.Api;

/// <summary>
/// Where a frame's time goes: named stages accumulate wall time per frame (<c>uino bench</c>'s <c>stages_ms</c>).
/// It listens to the stages the network marks (<see cref="Modeling.Stages"/>) on the thread that attached it: the
/// network itself holds no clock. Timing is off unless a clock is attached, and then costs two timestamps per stage. On CUDA each stage ends with a
/// device synchronisation, since kernels run asynchronously and would otherwise be charged to a later stage.
/// </summary>
internal sealed class StageClock(bool synchronizeCuda = false) : IStageListener
{
    /// <summary>The stages of a frame, in order (the JSON keys of <c>uino bench</c>).</summary>
    public static readonly string[] FrameStages =
    [
        "preprocess", "encoder", "adapter", "visual_prompt", "correlation", "hypercorrelation", "dense_prompt", "decoder", "postprocess",
    ];

    private readonly Dictionary<string, double> totals = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private readonly object gate = new();

    /// <summary>Frames counted by <see cref="EndFrame"/>.</summary>
    public int Frames { get; private set; }

    long IStageListener.Began(string name) => Stopwatch.GetTimestamp();

    void IStageListener.Ended(string name, long token)
    {
        if (synchronizeCuda) cuda.synchronize();
        Add(name, Stopwatch.GetElapsedTime(token).TotalMilliseconds);
    }

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
}
