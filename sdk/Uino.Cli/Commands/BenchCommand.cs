using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;
using Uino.Api;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino bench [--json] [--model M] [--frames N] [--warmup W] [--sizes 518,336,224] [--paper-models vits14,vitb14]
/// [--variants full,comp]</c>: what a live loop costs on this machine. Per case (model × variant × input size): the
/// per-frame latency with the reference cached (median and p95 of N timed frames after W warm-up frames), the time to
/// add a reference, the throughput, the peak resident memory (VmHWM, reset before each case where the kernel allows)
/// and the mean time of each stage of a frame (<see cref="StageClock.FrameStages"/>). Frames are a synthetic 640×480 RGB
/// picture (a webcam frame), segmented through the zero-allocation <c>SegmentInto</c> path. The paper models run on
/// random weights: the time does not depend on the values.
/// </summary>
internal static class BenchCommand
{
    private const int FrameWidth = 640, FrameHeight = 480;

    private sealed record Case(string Model, string Variant, string Backbone, int Input, double FrameMedian, double FrameP95,
                               double FrameMean, double ReferenceMs, double? PeakRssMb, IReadOnlyDictionary<string, double> Stages)
    {
        /// <summary>True when VmHWM was reset before the case, so the peak is this case's own.</summary>
        public bool PeakReset { get; init; }
    }

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded model)." };
        var dinov2 = new Option<string?>("--dinov2") { Description = "Official DINOv2 checkpoint, for a segmenter-only model file." };
        var frames = new Option<int>("--frames") { Description = "Timed frames per case.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up frames per case.", DefaultValueFactory = _ => 2 };
        var sizes = new Option<string?>("--sizes") { Description = "Comma-separated input sizes: multiples of 32 for the default (ResNet) model, of 14 for DINOv2 ones (default: each model's own; 518 for ViT-B)." };
        var paper = new Option<string?>("--paper-models") { Description = "Also time full-size UINO-FSS models on random weights: comma-separated vits14, vitb14, vitl14." };
        var variants = new Option<string>("--variants") { Description = "Variants of the paper models: comma-separated full, comp, comp*.", DefaultValueFactory = _ => "full,comp" };
        var threads = new Option<int>("--threads") { Description = "Inference threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Per-frame latency, reference time, throughput and peak memory of live segmentation on this machine.")
        {
            json, model, dinov2, frames, warmup, sizes, paper, variants, threads,
        };
        command.SetAction(r => Run(r.GetValue(json), r.GetValue(model), r.GetValue(dinov2), r.GetValue(frames), r.GetValue(warmup),
                                   r.GetValue(sizes), r.GetValue(paper), r.GetValue(variants)!, r.GetValue(threads)));
        return command;
    }

    private static int Run(bool json, string? modelPath, string? dinov2, int frames, int warmup, string? sizesText, string? paperText,
                           string variantsText, int threads)
    {
        try
        {
            if (frames < 1) throw new UinoArgumentException($"--frames is {frames}; time at least 1 frame.");
            if (warmup < 0) throw new UinoArgumentException($"--warmup is {warmup}; it cannot be negative.");
            if (threads < 0) throw new UinoArgumentException($"--threads is {threads}; use 0 (one per core) or a positive count.");
            var sizes = ParseSizes(sizesText);
            var paperModels = ParseList(paperText, "--paper-models", "vits14", "vitb14", "vitl14");
            var paperVariants = ParseList(variantsText, "--variants", "full", "comp", "comp*").Select(ParseVariant).ToList();
            if (threads > 0) set_num_threads(threads);

            bool useFileOrDefault = modelPath != null || ModelLoader.HasEmbeddedDefault();
            if (!useFileOrDefault && paperModels.Count == 0)
                throw new UinoNotFoundException("This build has no embedded default model; give --model FILE or --paper-models.", null);
            if (!useFileOrDefault)
                Console.Error.WriteLine("uino bench: this build has no embedded default model; timing the paper models only.");

            var (frame, refFrame, refMask) = SyntheticFrames();
            var cases = new List<Case>();
            string label = modelPath != null ? Path.GetFileName(modelPath) : "embedded-default";
            if (useFileOrDefault)
            {
                foreach (var size in sizes ?? new int?[] { null })
                {
                    bool peakReset = ProcessMemory.ResetPeak();
                    using var session = new UinoSession(new UinoSessionOptions { ModelPath = modelPath, EncoderCheckpoint = dinov2, InputSize = size });
                    cases.Add(Measure(session, label, frames, warmup, frame, refFrame, refMask, peakReset));
                }
            }
            foreach (var backbone in paperModels)
                foreach (var variant in paperVariants)
                    foreach (var size in sizes ?? new int?[] { 518 })
                    {
                        bool peakReset = ProcessMemory.ResetPeak();
                        manual_seed(0);
                        using var session = new UinoSession(new UinoFss(UinoFssConfig.Preset(backbone, variant, size ?? 518)));
                        cases.Add(Measure(session, $"{backbone}-random", frames, warmup, frame, refFrame, refMask, peakReset));
                    }
            if (json) Console.Out.WriteLine(ToJson(cases, frames, warmup));
            else WriteTable(cases, frames, warmup);
            return 0;
        }
        catch (Exception e) when (e is UinoException or IOException or UnauthorizedAccessException)
        {
            return CommandErrors.Fail("bench", e);
        }
        catch (Exception e)
        {
            return CommandErrors.FailUnexpected("bench", e);
        }
    }

    private static List<string> ParseList(string? text, string option, params string[] allowed)
    {
        var items = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                                .Select(i => i.ToLowerInvariant()).Distinct().ToList();
        var unknown = items.FirstOrDefault(i => !allowed.Contains(i));
        if (unknown != null) throw new UinoArgumentException($"{option}: '{unknown}' is not one of {string.Join(", ", allowed)}.");
        return items;
    }

    private static UinoVariant ParseVariant(string name) => name switch
    {
        "full" => UinoVariant.Full,
        "comp" => UinoVariant.Comp,
        _ => UinoVariant.CompStar,
    };

    private static int?[]? ParseSizes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
        {
            // The multiple a size must be depends on each model's encoder (14 for DINOv2, 32 for a ResNet): the session checks it.
            if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v <= 0)
                throw new UinoArgumentException($"--sizes: '{s}' is not a positive size (e.g. 288, 256 for the default model; 518, 336, 224 for DINOv2 ones).");
            return (int?)v;
        }).ToArray();
    }

    /// <summary>A smooth colour picture with a brighter disc (the "object"), a second view of it, and its mask.</summary>
    private static (byte[] Frame, byte[] Reference, byte[] Mask) SyntheticFrames()
    {
        byte[] Picture(double cx, double cy, byte[]? mask)
        {
            var rgb = new byte[FrameWidth * FrameHeight * 3];
            for (int y = 0; y < FrameHeight; y++)
                for (int x = 0; x < FrameWidth; x++)
                {
                    double dx = x - cx, dy = y - cy;
                    bool inside = dx * dx + dy * dy < 90 * 90;
                    int i = (y * FrameWidth + x) * 3;
                    rgb[i] = (byte)(inside ? 220 : 60 + x * 100 / FrameWidth);
                    rgb[i + 1] = (byte)(inside ? 120 + 60 * Math.Sin(x / 7.0) : 80 + y * 80 / FrameHeight);
                    rgb[i + 2] = (byte)(inside ? 40 : 120);
                    if (mask != null) mask[y * FrameWidth + x] = inside ? (byte)255 : (byte)0;
                }
            return rgb;
        }
        var mask = new byte[FrameWidth * FrameHeight];
        var reference = Picture(250, 200, mask);
        return (Picture(400, 260, null), reference, mask);
    }

    private static Case Measure(UinoSession session, string model, int frames, int warmup, byte[] frame, byte[] refFrame, byte[] refMask, bool peakReset)
    {
        var refBuffer = new PixelBuffer(refFrame, FrameWidth, FrameHeight, FrameWidth * 3, PixelFormat.Rgb8);
        // Reference time: one untimed add (first-call allocations), then the median of three adds of a fresh 1-shot.
        session.AddReference(refBuffer, refMask);
        var refTimes = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            session.ClearReferences();
            var w = Stopwatch.StartNew();
            session.AddReference(refBuffer, refMask);
            refTimes.Add(w.Elapsed.TotalMilliseconds);
        }
        var mask = new byte[FrameWidth * FrameHeight];
        var buffer = new PixelBuffer(frame, FrameWidth, FrameHeight, FrameWidth * 3, PixelFormat.Rgb8);
        for (int i = 0; i < warmup; i++) session.SegmentInto(buffer, mask);
        var clock = new StageClock(session.Device.StartsWith("cuda", StringComparison.Ordinal));
        session.Clock = clock;
        var times = new double[frames];
        for (int i = 0; i < frames; i++)
        {
            var w = Stopwatch.StartNew();
            session.SegmentInto(buffer, mask);
            times[i] = w.Elapsed.TotalMilliseconds;
        }
        session.Clock = null;
        Array.Sort(times);
        refTimes.Sort();
        long? peak = ProcessMemory.PeakResidentBytes();
        return new Case(model, session.Variant.ToString(), session.Model.Config.EncoderName, session.InputSize,
                        Percentile(times, 0.5), Percentile(times, 0.95), times.Average(), refTimes[1],
                        peak is long p ? Math.Round(p / 1048576.0, 1) : null, clock.MeanMilliseconds())
        { PeakReset = peakReset };
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line != null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string ToJson(List<Case> cases, int frames, int warmup)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("machine");
            w.WriteNumber("cores", Environment.ProcessorCount);
            w.WriteString("cpu", CpuModel());
            w.WriteString("os", RuntimeInformation.OSDescription);
            w.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            w.WriteNumber("torch_threads", get_num_threads());
            w.WriteString("omp_wait_policy", RuntimeDefaults.WaitPolicy);
            w.WriteEndObject();
            w.WriteStartObject("settings");
            w.WriteString("frame", $"{FrameWidth}x{FrameHeight}");
            w.WriteNumber("frames", frames);
            w.WriteNumber("warmup", warmup);
            w.WriteNumber("shots", 1);
            w.WriteEndObject();
            w.WriteStartArray("cases");
            foreach (var c in cases)
            {
                w.WriteStartObject();
                w.WriteString("model", c.Model);
                w.WriteString("variant", c.Variant);
                w.WriteString("backbone", c.Backbone);
                w.WriteNumber("input", c.Input);
                w.WriteNumber("frame_ms_median", Math.Round(c.FrameMedian, 2));
                w.WriteNumber("frame_ms_p95", Math.Round(c.FrameP95, 2));
                w.WriteNumber("fps", Math.Round(1000.0 / c.FrameMean, 2));
                w.WriteNumber("reference_ms", Math.Round(c.ReferenceMs, 2));
                if (c.PeakRssMb is double mb) w.WriteNumber("peak_rss_mb", mb); else w.WriteNull("peak_rss_mb");
                w.WriteBoolean("peak_rss_per_case", c.PeakReset);
                w.WriteStartObject("stages_ms");
                foreach (var (stage, ms) in c.Stages) w.WriteNumber(stage, Math.Round(ms, 2));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTable(List<Case> cases, int frames, int warmup)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 160;                     // a log file has no terminal width
        console.WriteLine($"{CpuModel()}, {Environment.ProcessorCount} cores, {get_num_threads()} torch threads (OpenMP wait {RuntimeDefaults.WaitPolicy}); " +
                          $"{FrameWidth}x{FrameHeight} frames, {frames} timed after {warmup} warm-up, 1-shot reference.");
        var table = new Table().AddColumns("model", "variant", "backbone", "input", "frame ms median", "frame ms p95", "fps", "reference ms", "peak RSS MB");
        foreach (var c in cases)
            table.AddRow(c.Model, c.Variant, c.Backbone, c.Input.ToString(CultureInfo.InvariantCulture),
                         c.FrameMedian.ToString("F1", CultureInfo.InvariantCulture), c.FrameP95.ToString("F1", CultureInfo.InvariantCulture),
                         (1000.0 / c.FrameMean).ToString("F2", CultureInfo.InvariantCulture), c.ReferenceMs.ToString("F1", CultureInfo.InvariantCulture),
                         c.PeakRssMb?.ToString("F0", CultureInfo.InvariantCulture) ?? "n/a");
        console.Write(table);
        var stages = new Table { Title = new TableTitle("ms per frame, by stage") }
            .AddColumns(new[] { "model", "variant", "input" }.Concat(StageClock.FrameStages).ToArray());
        foreach (var c in cases)
            stages.AddRow(new[] { c.Model, c.Variant, c.Input.ToString(CultureInfo.InvariantCulture) }
                .Concat(StageClock.FrameStages.Select(st => c.Stages[st].ToString("F1", CultureInfo.InvariantCulture))).ToArray());
        console.Write(stages);
        if (cases.Any(c => !c.PeakReset)) console.WriteLine("Peak RSS could not be reset between cases: it is the process peak so far.");
    }
}
