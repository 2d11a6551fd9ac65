namespace Uino.Viewer.Live;

/// <summary>
/// A mailbox that keeps only the newest item: publishing replaces (and releases) the previous one, so a slow
/// reader never sees a queue of stale frames, only the latest. Readers take a reference and must release it.
/// </summary>
internal sealed class LatestSlot<T> : IDisposable where T : PooledItem
{
    private readonly object gate = new();
    private T? current;
    private bool closed;

    /// <summary>Items replaced before any reader took them (frames the display or inference dropped).</summary>
    public long Replaced { get; private set; }

    /// <summary>Publishes <paramref name="item"/>, handing over the caller's reference.</summary>
    public void Publish(T item)
    {
        T? old;
        lock (gate)
        {
            old = current;
            current = item;
            Monitor.PulseAll(gate);
        }
        if (old is not null)
        {
            Replaced++;
            old.Release();
        }
    }

    /// <summary>The newest item if its sequence is above <paramref name="after"/> (with a reference for the caller), else null.</summary>
    public T? TakeNewer(long after)
    {
        lock (gate)
        {
            if (current is null || current.Sequence <= after) return null;
            current.AddReference();
            return current;
        }
    }

    /// <summary>Like <see cref="TakeNewer"/>, waiting up to <paramref name="timeoutMs"/> for one to be published.</summary>
    public T? WaitNewer(long after, int timeoutMs)
    {
        lock (gate)
        {
            if (closed) return null;
            if (current is null || current.Sequence <= after) Monitor.Wait(gate, timeoutMs);
            if (current is null || current.Sequence <= after) return null;
            current.AddReference();
            return current;
        }
    }

    /// <summary>Wakes every waiter (shutdown).</summary>
    public void Close()
    {
        lock (gate) { closed = true; Monitor.PulseAll(gate); }
    }

    public void Dispose()
    {
        T? old;
        lock (gate) { old = current; current = null; closed = true; Monitor.PulseAll(gate); }
        old?.Release();
    }
}
