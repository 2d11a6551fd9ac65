using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>
/// Runs the scan kernel over its independent (batch, channel) rows with as many threads as libtorch's intra-op pool
/// (<c>torch.set_num_threads</c>, which <c>UinoSessionOptions.Threads</c> sets), so the scan never uses more cores
/// than the convolutions and matmuls around it were given: one thread budget for a frame, chosen once. One thread, or
/// too little work to split, runs inline on the caller: handing a few milliseconds of rows to pool workers costs more
/// than it saves, and on a busy machine the call then waits for whichever worker was descheduled last.
/// </summary>
internal static class ScanRows
{
    /// <summary>Below this many state updates (rows × steps × padded state) a call runs on one thread.</summary>
    private const long MinParallelWork = 1L << 20;

    public static void For(long rows, long workPerRow, Action<long> body)
    {
        int threads = Math.Max(1, get_num_threads());
        if (threads == 1 || rows < 2 || rows * workPerRow < MinParallelWork)
        {
            for (long r = 0; r < rows; r++) body(r);
            return;
        }
        // Contiguous ranges, a few per thread: one delegate call per range instead of per row, and rows that share a
        // (batch, group) B/C row stay on one core's cache.
        long rangeSize = Math.Max(1, rows / (threads * 4));
        Parallel.ForEach(Partitioner.Create(0L, rows, rangeSize), new ParallelOptions { MaxDegreeOfParallelism = threads },
                         range => { for (long r = range.Item1; r < range.Item2; r++) body(r); });
    }
}
