using System.Diagnostics;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// `throughput`: frames per second of the embedded model through the session API (samples/ reference and query),
/// for one stream with two intra-op threads, one stream with one, and two streams — two sessions on two threads
/// with one intra-op thread each. Says whether a second stream gets the second core's worth.
/// </summary>
internal static class Throughput
{
    public static void Run(int frames)
    {
        string samples = FindSamples();
        string reference = Path.Combine(samples, "reference.png"), mask = Path.Combine(samples, "reference.mask.png");
        string query = Path.Combine(samples, "query.png");

        double Streams(int streams, int threadsPerStream)
        {
            var sessions = Enumerable.Range(0, streams).Select(_ =>
            {
                var s = new UinoSession(new UinoSessionOptions { Threads = threadsPerStream });
                s.AddReference(reference, mask);
                return s;
            }).ToList();
            using var start = new Barrier(streams + 1);
            var workers = sessions.Select(s => new Thread(() =>
            {
                // libtorch's thread count is per calling thread for OpenMP: set it where the frames run.
                set_num_threads(threadsPerStream);
                for (int i = 0; i < 3; i++) s.Segment(query);                         // warm-up, untimed
                start.SignalAndWait();
                for (int i = 0; i < frames; i++) s.Segment(query);
            })).ToList();
            workers.ForEach(w => w.Start());
            start.SignalAndWait();
            var sw = Stopwatch.StartNew();
            workers.ForEach(w => w.Join());
            sw.Stop();
            sessions.ForEach(s => s.Dispose());
            return streams * frames / sw.Elapsed.TotalSeconds;
        }

        Console.WriteLine($"Embedded model through UinoSession.Segment(path), {frames} timed frames per stream:");
        foreach (var (streams, threads) in new[] { (1, 2), (1, 1), (2, 1) })
            Console.WriteLine($"  {streams} stream(s) × {threads} intra-op thread(s): {Streams(streams, threads),6:F1} frames/s in all");
    }

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var s = Path.Combine(dir.FullName, "samples");
            if (File.Exists(Path.Combine(s, "reference.png"))) return s;
        }
        throw new DirectoryNotFoundException("samples/ (reference.png) not found above the benchmark's folder.");
    }
}
