using System.Diagnostics;
using Uino.Api;
using Uino.Modeling;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// `profile`: the MHCM's time split into its sub-steps (CP4D, GroupNorm, partition, VSS parts, …), reported by the
/// modules to <see cref="Stages"/> (a <see cref="StageClock"/> listening). Medians over repetitions, since the machine may be shared.
/// </summary>
internal static class MhcmProfile
{
    public static void Run(MhcmCase c, int reps, int warmup)
    {
        using var mode = inference_mode();
        using var mhcm = c.Build();
        using var volume = c.Volume();
        var perStep = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var order = new List<string>();
        var totals = new List<double>();
        for (int i = 0; i < warmup + reps; i++)
        {
            var clock = new StageClock();
            var sw = Stopwatch.StartNew();
            using (Stages.Listen(i < warmup ? null : clock))
            using (var scope = NewDisposeScope()) mhcm.call(volume);
            sw.Stop();
            if (i < warmup) continue;
            clock.EndFrame();
            totals.Add(sw.Elapsed.TotalMilliseconds);
            foreach (var (name, ms) in clock.AllMeanMilliseconds())
            {
                if (!perStep.TryGetValue(name, out var list)) { perStep[name] = list = []; order.Add(name); }
                list.Add(ms);
            }
        }
        Console.WriteLine($"MHCM {c.Name}: volume 1×{c.Layers}×{c.Grid}×{c.Grid}×{c.SupportGrid}×{c.SupportGrid}, l' {c.Hidden}, " +
                          $"d_state {c.DState}, partition {c.Partition}; torch threads {get_num_threads()}; {reps} reps (median [min–max])");
        Console.WriteLine($"  {"total (2 HGMBs)",-28} {Median(totals),9:F1} ms  [{totals.Min():F1}–{totals.Max():F1}]");
        foreach (var name in order)
        {
            var v = perStep[name];
            Console.WriteLine($"  {name,-28} {Median(v),9:F1} ms  [{v.Min():F1}–{v.Max():F1}]");
        }
        Console.WriteLine($"  peak RSS of the process        {(ProcessMemory.PeakResidentBytes() ?? 0) / 1048576.0:F0} MB");
    }

    public static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
