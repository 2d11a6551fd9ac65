namespace Uino.Viewer.Live;

/// <summary>
/// A thread-safe free list of <typeparamref name="T"/>. It grows only when every item is in use, so its size is the
/// pipeline's peak concurrency (a handful), which <see cref="Created"/> reports for the memory checks.
/// </summary>
internal sealed class ItemPool<T>(Func<T> create, Action<T>? dispose = null) : IDisposable where T : PooledItem
{
    private readonly Stack<T> free = new();
    private readonly List<T> all = new();

    public int Created { get { lock (free) return all.Count; } }

    /// <summary>An item holding one reference for the caller.</summary>
    public T Rent()
    {
        T item;
        lock (free)
        {
            if (!free.TryPop(out item!))
            {
                item = create();
                all.Add(item);
            }
        }
        item.Rent(Return);
        return item;
    }

    private void Return(PooledItem item)
    {
        lock (free) free.Push((T)item);
    }

    public void Dispose()
    {
        lock (free)
        {
            if (dispose is not null) foreach (var item in all) dispose(item);
            all.Clear();
            free.Clear();
        }
    }
}
