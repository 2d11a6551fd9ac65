using System.Collections.Concurrent;
using System.Diagnostics;
using OpenCvSharp;

namespace Uino.Viewer.Live;

/// <summary>
/// The inference thread: takes the newest captured frame (frames that arrived meanwhile are dropped, never
/// queued), segments it into a pooled mask with <see cref="UinoSession.SegmentInto"/>, and publishes the mask.
/// Reference changes are queued to this thread and applied between frames.
/// </summary>
internal sealed class InferenceLoop : IDisposable
{
    private readonly UinoSession session;
    private readonly LatestSlot<Frame> frames;
    private readonly LatestSlot<MaskFrame> output;
    private readonly ItemPool<MaskFrame> pool;
    private readonly ConcurrentQueue<ReferenceRequest> requests = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly double[] latencies = new double[256];
    private readonly Thread thread;
    private volatile bool stopping;
    private int latencyCount;
    private long masksMade;
    private int pending;
    private volatile int generation, referenceCount;
    private volatile string? status;

    public RateMeter Rate { get; } = new();
    /// <summary>Bumped by every applied reference change; masks carry the generation they were computed with.</summary>
    public int Generation => generation;
    public int ReferenceCount => referenceCount;
    /// <summary>The last message worth showing (a reference set, a failure), or null.</summary>
    public string? Status => status;
    public double LastLatencyMs { get; private set; }
    /// <summary>Reference changes requested and not yet applied (a screenshot waits for them).</summary>
    public int PendingRequests => Volatile.Read(ref pending);

    public InferenceLoop(UinoSession session, LatestSlot<Frame> frames, LatestSlot<MaskFrame> output, ItemPool<MaskFrame> pool)
    {
        (this.session, this.frames, this.output, this.pool) = (session, frames, output, pool);
        referenceCount = session.ReferenceCount;
        thread = new Thread(Run) { Name = "uino inference", IsBackground = true };
    }

    public void Start() => thread.Start();

    public void Request(ReferenceRequest request)
    {
        Interlocked.Increment(ref pending);
        requests.Enqueue(request);
        wake.Release();
    }

    /// <summary>Median latency of the last (up to 256) inferences, in milliseconds; 0 before the first.</summary>
    public double MedianLatencyMs
    {
        get
        {
            lock (latencies)
            {
                if (latencyCount == 0) return 0;
                var copy = latencies.AsSpan(0, Math.Min(latencyCount, latencies.Length)).ToArray();
                Array.Sort(copy);
                return copy[copy.Length / 2];
            }
        }
    }

    private void Run()
    {
        long last = 0;
        while (!stopping)
        {
            // After a reference change the newest frame is segmented again, even if it was done before (paused source).
            while (requests.TryDequeue(out var request)) { Apply(request); last = 0; }
            if (referenceCount == 0) { wake.Wait(50); continue; }
            var frame = frames.WaitNewer(last, 50);
            if (frame is null) continue;
            try
            {
                last = frame.Sequence;
                Segment(frame);
            }
            finally { frame.Release(); }
        }
    }

    private unsafe void Segment(Frame frame)
    {
        var image = frame.Image;
        int w = image.Width, h = image.Height;
        var mask = pool.Rent();
        try
        {
            mask.EnsureSize(w, h);
            var pixels = new ReadOnlySpan<byte>((void*)image.Data, checked((int)(image.Step() * h)));
            var started = Stopwatch.GetTimestamp();
            session.SegmentInto(new PixelBuffer(pixels, w, h, (int)image.Step(), PixelFormat.Bgr8), mask.Mask, w);
            mask.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            mask.Sequence = ++masksMade;
            mask.FrameSequence = frame.Sequence;
            mask.Generation = generation;
            LastLatencyMs = mask.LatencyMs;
            lock (latencies) latencies[latencyCount++ % latencies.Length] = mask.LatencyMs;
            Rate.Tick();
            output.Publish(mask);
            mask = null;
        }
        catch (UinoException e) { status = $"inference failed: {e.Message}"; }
        finally { mask?.Release(); }
    }

    private unsafe void Apply(ReferenceRequest request)
    {
        try
        {
            if (request.Action == ReferenceAction.Clear)
            {
                session.ClearReferences();
                status = "references cleared";
            }
            else
            {
                var image = request.Image!;
                var pixels = new ReadOnlySpan<byte>((void*)image.Data, checked((int)(image.Step() * image.Height)));
                var buffer = new PixelBuffer(pixels, image.Width, image.Height, (int)image.Step(), PixelFormat.Bgr8);
                if (request.Action == ReferenceAction.Replace) session.ClearReferences();
                session.AddReference(buffer, request.Mask, image.Width);
                status = request.Action == ReferenceAction.Replace ? "reference set" : $"shot added (K = {session.ReferenceCount})";
            }
        }
        catch (UinoException e) { status = $"reference refused: {e.Message}"; }
        finally
        {
            request.Image?.Dispose();
            referenceCount = session.ReferenceCount;
            generation++;
            Interlocked.Decrement(ref pending);
        }
    }

    public void Dispose()
    {
        if (stopping) return;
        stopping = true;
        wake.Release();
        if (thread.IsAlive) thread.Join();
        while (requests.TryDequeue(out var r)) r.Image?.Dispose();
        wake.Dispose();
    }
}
