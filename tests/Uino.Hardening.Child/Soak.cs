using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Hardening.Child;

/// <summary>
/// The live path for a long time: one session (the embedded default model, or the tiny one), the sample reference,
/// then frames without pause through every entry point (file, PixelBuffer, SegmentInto into caller memory), the
/// reference replaced every 500 frames. Every interval it samples RSS, descriptors and threads to a CSV, and at
/// the end reports their growth after the warm-up (the first 20% of the run, at least 2 minutes when the run is
/// long enough): the figures docs/reliability.md quotes.
/// </summary>
public static class Soak
{
    public static int Run(double minutes, string csv, string model, int intervalSeconds)
    {
        var samples = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, FindUp("samples")));
        string? tinyPath = null;
        if (model == "tiny")
        {
            tinyPath = Path.Combine(Path.GetTempPath(), $"uino-soak-tiny-{Environment.ProcessId}.safetensors");
            TinyModelFile.Save(tinyPath, seed: 11);
        }
        try
        {
            // One intra-op thread: the machine is shared, and allocator arenas of many OpenMP workers blur the figures.
            using var session = new UinoSession(new UinoSessionOptions { ModelPath = tinyPath, Threads = 1 });
            return Loop(session, samples, TimeSpan.FromMinutes(minutes), csv, intervalSeconds, model);
        }
        finally { if (tinyPath != null) File.Delete(tinyPath); }
    }

    private static int Loop(UinoSession session, string samples, TimeSpan duration, string csv, int intervalSeconds, string model)
    {
        string reference = Path.Combine(samples, "reference.png"), mask = Path.Combine(samples, "reference.mask.png");
        string[] queries = ["query.png", "queries/query2.png", "queries/query3.png"];
        queries = queries.Select(q => Path.Combine(samples, q)).Where(File.Exists).ToArray();
        using var frame = Image.Load<Rgb24>(queries[0]);
        var rgb = new byte[frame.Width * frame.Height * 3];
        frame.CopyPixelDataTo(rgb);
        var maskOut = new byte[frame.Width * frame.Height];
        session.AddReference(reference, mask);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csv))!);
        using var writer = new StreamWriter(csv) { AutoFlush = true };
        writer.WriteLine(ProcessSample.CsvHeader);
        var all = new List<ProcessSample>();
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        long frames = 0;
        while (clock.Elapsed < duration)
        {
            if (clock.Elapsed >= next)
            {
                var s = ProcessSample.Take(clock.Elapsed.TotalSeconds, frames);
                all.Add(s);
                writer.WriteLine(s.ToCsv());
                next += TimeSpan.FromSeconds(intervalSeconds);
            }
            switch (frames % 3)
            {
                case 0: session.Segment(queries[(int)(frames / 3 % queries.Length)]); break;
                case 1: session.Segment(new PixelBuffer(rgb, frame.Width, frame.Height, frame.Width * 3, PixelFormat.Rgb8)); break;
                default: session.SegmentInto(new PixelBuffer(rgb, frame.Width, frame.Height, frame.Width * 3, PixelFormat.Rgb8), maskOut); break;
            }
            frames++;
            if (frames % 500 == 0)
            {
                session.ClearReferences();
                session.AddReference(reference, mask);
            }
        }
        var last = ProcessSample.Take(clock.Elapsed.TotalSeconds, frames);
        all.Add(last);
        writer.WriteLine(last.ToCsv());
        Console.WriteLine(Summary($"soak(api, {model} model)", all, duration));
        return 0;
    }

    /// <summary>Growth from the end of the warm-up to the end, and the fitted RSS slope over that span.</summary>
    public static string Summary(string what, IReadOnlyList<ProcessSample> all, TimeSpan duration)
    {
        double warmUp = Math.Min(Math.Max(120, duration.TotalSeconds * 0.2), duration.TotalSeconds * 0.5);
        var after = all.Where(s => s.Seconds >= warmUp).ToList();
        if (after.Count < 2) after = all.Skip(all.Count / 2).ToList();
        var (first, last) = (after[0], after[^1]);
        double hours = (last.Seconds - first.Seconds) / 3600;
        double slope = Slope(after.Select(s => (s.Seconds / 3600, s.RssMb)).ToList());
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: {last.Frames} frames in {last.Seconds / 60:F1} min ({last.Frames / Math.Max(1, last.Seconds):F1} fps); " +
            $"after {first.Seconds / 60:F1} min warm-up: RSS {first.RssMb:F1} -> {last.RssMb:F1} MB ({last.RssMb - first.RssMb:+0.0;-0.0} MB, " +
            $"fitted {slope:+0.0;-0.0} MB/h over {hours:F2} h), fds {first.Fds} -> {last.Fds}, threads {first.Threads} -> {last.Threads}, " +
            $"live tensors {first.LiveTensors} -> {last.LiveTensors}, peak RSS {all.Max(s => s.RssMb):F1} MB");
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }

    private static string FindUp(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "Uino.Sdk.sln")))
                return Path.Combine(dir.FullName, name);
        throw new DirectoryNotFoundException($"No repository '{name}' folder above {AppContext.BaseDirectory}.");
    }
}
