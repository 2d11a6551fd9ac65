using System.Diagnostics;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// `scan`: the inference selective scan alone at one HGMB's shape (embedded: 16 patches; ViT-B 518: 25 of its 400
/// patches), timed in process CPU time per call as well as wall time: on a shared machine the CPU time of a
/// single-threaded call stays meaningful when the wall time does not.
/// </summary>
internal static class ScanProfile
{
    public static void Run(string name, int reps)
    {
        var (patches, channels, dState) = name == "vitb518" ? (25L, 128L, 12L) : (16L, 16L, 4L);
        const long directions = 4, len = 256;
        using var mode = inference_mode();
        manual_seed(0);
        long dim = directions * channels;
        using var u = randn(patches, dim, len);
        using var delta = randn(patches, dim, len) * 0.5 - 1;
        using var a = -exp(randn(dim, dState) * 0.5);
        using var b = randn(patches, directions, dState, len);
        using var c = randn(patches, directions, dState, len);
        using var d = randn(dim);
        using var bias = randn(dim) * 0.3;
        var cpu = new List<double>();
        var wall = new List<double>();
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < reps + 3; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            SelectiveScan.Forward(u, delta, a, b, c, d, null, bias, deltaSoftplus: true, path: ScanPath.Fast).Dispose();
            sw.Stop();
            process.Refresh();
            if (i < 3) continue;
            cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
            wall.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"scan {name}: {patches}×{dim}×{len}, d_state {dState}, torch threads {get_num_threads()}, {reps} reps: " +
                          $"CPU {MhcmProfile.Median(cpu):F2} ms [{cpu.Min():F2}–{cpu.Max():F2}], wall {MhcmProfile.Median(wall):F2} ms [{wall.Min():F2}–{wall.Max():F2}]");
    }
}
