using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Uino.Api;
using Uino.Modeling.Fss;
using Uino.Training.Settings;
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
        var variants = new Option<string>("--variants") { Description = "Variants of the paper models: comma-separated full, comp, comp* (or cp4d).", DefaultValueFactory = _ => "full,comp" };
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
                           string variantsText, int threads) => CommandErrors.Run("bench", () =>
    {
        if (frames < 1) throw new UinoArgumentException($"--frames is {frames}; time at least 1 frame.");
        if (warmup < 0) throw new UinoArgumentException($"--warmup is {warmup}; it cannot be negative.");
        if (threads < 0) throw new UinoArgumentException($"--threads is {threads}; use 0 (one per core) or a positive count.");
        var sizes = ParseSizes(sizesText);
        var paperModels = ParseList(paperText).Select(ParsePaperModel).Distinct().ToList();
        var paperVariants = ParseList(variantsText).Select(ParseVariant).Distinct().ToList();
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
                    using var session = new UinoSession(new UinoFss(backbone.Config(variant, size ?? 518)));
                    cases.Add(Measure(session, $"{backbone}-random", frames, warmup, frame, refFrame, refMask, peakReset));
                }
        if (json) Console.Out.WriteLine(ToJson(cases, frames, warmup));
        else WriteTable(cases, frames, warmup);
        return 0;
    });

    /// <summary>The items of a comma-separated list (the shared parsers then read each).</summary>
    private static string[] ParseList(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static ModelPreset ParsePaperModel(string name) =>
        ModelPreset.TryParse(name, out var p) && p.IsPaperModel
            ? p : throw new UinoArgumentException($"--paper-models: '{name}' is not one of vits14, vitb14, vitl14 (optionally _reg4).");

    private static UinoVariant ParseVariant(string name) =>
        Variants.TryParse(name, out var v) ? v : throw new UinoArgumentException($"--variants: '{name}' is not one of {Variants.Expected}.");

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

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>{"machine":{cores, cpu, os, runtime, torch_threads, omp_wait_policy}, "settings":{frame, frames, warmup, shots}, "cases":[…]}.</summary>
    private static string ToJson(List<Case> cases, int frames, int warmup) => JsonSerializer.Serialize(new BenchJson(
        new MachineJson(Environment.ProcessorCount, CpuModel(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
                        get_num_threads(), RuntimeDefaults.WaitPolicy),
        new SettingsJson($"{FrameWidth}x{FrameHeight}", frames, warmup, 1),
        cases.Select(c => new CaseJson(c.Model, c.Variant, c.Backbone, c.Input, Math.Round(c.FrameMedian, 2), Math.Round(c.FrameP95, 2),
                                       Math.Round(1000.0 / c.FrameMean, 2), Math.Round(c.ReferenceMs, 2), c.PeakRssMb, c.PeakReset,
                                       c.Stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 2)))).ToArray()), Indented);

    private sealed record BenchJson(
        [property: JsonPropertyName("machine")] MachineJson Machine,
        [property: JsonPropertyName("settings")] SettingsJson Settings,
        [property: JsonPropertyName("cases")] CaseJson[] Cases);

    private sealed record MachineJson(
        [property: JsonPropertyName("cores")] int Cores,
        [property: JsonPropertyName("cpu")] string Cpu,
        [property: JsonPropertyName("os")] string Os,
        [property: JsonPropertyName("runtime")] string Runtime,
        [property: JsonPropertyName("torch_threads")] int TorchThreads,
        [property: JsonPropertyName("omp_wait_policy")] string OmpWaitPolicy);

    private sealed record SettingsJson(
        [property: JsonPropertyName("frame")] string Frame,
        [property: JsonPropertyName("frames")] int Frames,
        [property: JsonPropertyName("warmup")] int Warmup,
        [property: JsonPropertyName("shots")] int Shots);

    private sealed record CaseJson(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("variant")] string Variant,
        [property: JsonPropertyName("backbone")] string Backbone,
        [property: JsonPropertyName("input")] int Input,
        [property: JsonPropertyName("frame_ms_median")] double FrameMsMedian,
        [property: JsonPropertyName("frame_ms_p95")] double FrameMsP95,
        [property: JsonPropertyName("fps")] double Fps,
        [property: JsonPropertyName("reference_ms")] double ReferenceMs,
        [property: JsonPropertyName("peak_rss_mb")] double? PeakRssMb,
        [property: JsonPropertyName("peak_rss_per_case")] bool PeakRssPerCase,
        [property: JsonPropertyName("stages_ms")] Dictionary<string, double> StagesMs);

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
