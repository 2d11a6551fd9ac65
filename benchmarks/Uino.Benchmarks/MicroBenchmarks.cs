using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Uino.Modeling.Fss;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// A short BenchmarkDotNet job: the machine these run on is shared, so few, long-enough iterations and medians,
/// inside inference mode as a session runs. In-process: a generated child project would miss this build's native
/// set-up (libtorch next to the binary, the GLIBCXX fix of Directory.Build.targets).
/// </summary>
[Config(typeof(ShortInProcess))]
[MedianColumn, MinColumn, MaxColumn]
public abstract class TorchBenchmark
{
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess() =>
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(7)
                              .WithToolchain(InProcessEmitToolchain.Instance));
    }

    private IDisposable? mode;

    [Params("embedded", "vitb518")]
    public string Size { get; set; } = "embedded";

    private protected MhcmCase Case => MhcmCase.ByName(Size);

    [GlobalSetup]
    public void Setup()
    {
        // One intra-op thread, as every measurement in docs/performance.md: with two on a shared machine libgomp's
        // spinning barrier makes each small op cost a time slice (40 ms for the embedded correlation).
        set_num_threads(int.TryParse(Environment.GetEnvironmentVariable("UINO_BENCH_THREADS"), out int t) ? t : 1);
        mode = inference_mode();
        manual_seed(0);
        Prepare();
    }

    [GlobalCleanup]
    public void Cleanup() => mode?.Dispose();

    protected abstract void Prepare();
}

/// <summary>
/// The selective scan of one HGMB's VSS at its real shape (embedded: 16 patches; ViT-B 518: 25 of the 400 patches,
/// 1/16 of one HGMB's scan, to keep the run short): u, Δ (patches)×(4·d_inner)×256, B and C grouped by direction.
/// </summary>
public class SelectiveScanBenchmarks : TorchBenchmark
{
    private Tensor u = null!, delta = null!, a = null!, b = null!, c = null!, d = null!, bias = null!;

    protected override void Prepare()
    {
        var mc = Case;
        long batch = mc == MhcmCase.Embedded ? 16 : 25, dim = CrossScan.Directions * 2 * mc.Hidden, len = mc.Partition * mc.Partition * mc.Partition * mc.Partition;
        u = randn(batch, dim, len);
        delta = randn(batch, dim, len) * 0.5 - 3;
        a = -exp(log(arange(1, mc.DState + 1, dtype: ScalarType.Float32)).unsqueeze(0).repeat(dim, 1));
        b = randn(batch, CrossScan.Directions, mc.DState, len);
        c = randn(batch, CrossScan.Directions, mc.DState, len);
        d = ones(dim);
        bias = rand(dim) * 0.1;
    }

    [Benchmark]
    public void Fast()
    {
        using var y = SelectiveScan.Fast(u, delta, a, b, c, d, null, bias, deltaSoftplus: true);
    }
}

/// <summary>The 4D partition into VSS patches and back, and the four-direction cross-scan expand/merge, at one HGMB's size.</summary>
public class PartitionBenchmarks : TorchBenchmark
{
    private Tensor volume = null!, map = null!, scanOut = null!;
    private PatchPartition partition;

    protected override void Prepare()
    {
        var mc = Case;
        volume = randn(new long[] { 1, mc.Hidden, mc.Grid, mc.Grid, mc.SupportGrid, mc.SupportGrid });
        partition = PatchPartition.Of(volume, mc.Partition, mc.Partition);
        long side = mc.Partition * mc.Partition, dInner = 2 * mc.Hidden;
        map = randn(partition.Count, dInner, side, side);
        scanOut = randn(partition.Count, CrossScan.Directions * dInner, side * side);
    }

    [Benchmark]
    public void CutAndJoin()
    {
        using var scope = NewDisposeScope();
        partition.Join(partition.Cut(volume));
    }

    [Benchmark]
    public void CrossScanExpand()
    {
        using var y = CrossScan.Expand(map);
    }

    [Benchmark]
    public void CrossScanMerge()
    {
        using var y = CrossScan.Merge(scanOut, map.shape[2], map.shape[3]);
    }
}

/// <summary>
/// The per-frame correlation: three query layers (B×C×Hq×Wq) against the cached pooled support differences
/// (1×1×C×g×g), stacked into the MHCM's input. Embedded: C 96 at 16×16, g 4; ViT-B 518: C 768 at 37×37, g 8.
/// </summary>
public class CorrelationBenchmarks : TorchBenchmark
{
    private Tensor[] queries = [], supports = [];

    protected override void Prepare()
    {
        var mc = Case;
        long channels = mc == MhcmCase.Embedded ? 96 : 768;
        queries = Enumerable.Range(0, (int)mc.Layers).Select(_ => randn(1, channels, mc.Grid, mc.Grid)).ToArray();
        supports = Enumerable.Range(0, (int)mc.Layers).Select(_ => randn(new long[] { 1, 1, channels, mc.SupportGrid, mc.SupportGrid })).ToArray();
    }

    [Benchmark]
    public void PooledVolumes()
    {
        using var scope = NewDisposeScope();
        stack(queries.Select((q, i) => ContrastiveEnhancement.PooledVolume(q, supports[i])).ToArray(), 2);
    }
}
