namespace Uino.Viewer.Live;

/// <summary>
/// A reusable buffer shared by threads through reference counts: the producer rents it (one reference), every
/// reader that takes it adds one, and the last <see cref="Release"/> hands it back to its pool. Steady state
/// allocates nothing.
/// </summary>
internal abstract class PooledItem
{
    private int references;
    private Action<PooledItem>? returnToPool;

    /// <summary>Increasing number given by the producer (frame number); readers compare it to skip what they saw.</summary>
    public long Sequence { get; set; }

    internal void Rent(Action<PooledItem> home)
    {
        returnToPool = home;
        Volatile.Write(ref references, 1);
    }

    public void AddReference()
    {
        if (Interlocked.Increment(ref references) <= 1) throw new InvalidOperationException("A released buffer was taken again.");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref references);
        if (left == 0) returnToPool!(this);
        else if (left < 0) throw new InvalidOperationException("A buffer was released once too often.");
    }
}
