using System.CommandLine;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Spectre.Console;
using Uino.Imaging;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino segment --reference R.png --mask RM.png [--reference R2.png --mask RM2.png …] --query Q --out DIR
/// [--model M] [--dinov2 P] [--device cpu] [--threads N] [--input-size S]</c>: segments the reference object in
/// Q, an image, a folder of images or a video file, writing <c>DIR/&lt;name&gt;.mask.png</c> (8-bit, 0/255, the query's size)
/// and <c>DIR/&lt;name&gt;.overlay.png</c> (the query with the mask tinted and outlined). Every input is checked
/// before anything is written, and each file is written through a temporary file renamed into place, so a failure
/// never leaves a half-written file (frames finished before a failure stay). A video's frame i writes
/// <c>&lt;stem&gt;.&lt;i:D5&gt;.mask.png</c> and <c>.overlay.png</c>.
/// </summary>
internal static class SegmentCommand
{
    /// <summary>Tint of the overlay: magenta stands out against most scenes (and against the samples' green).</summary>
    private static readonly Rgb24 Tint = new(255, 0, 170);

    public static Command Create()
    {
        var reference = new Option<string[]>("--reference", "-r") { Description = "Reference image; repeat with --mask for K shots.", Required = true };
        var mask = new Option<string[]>("--mask") { Description = "Mask of the preceding --reference (same size; a pixel ≥ 128 is object: save masks as PNG with 0/255).", Required = true };
        var query = new Option<string>("--query", "-q") { Description = "Image, folder of images (*.mask.png and *.overlay.png are skipped) or video file (.mp4, .avi, …) to segment.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for <name>.mask.png and <name>.overlay.png.", Required = true };
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded model)." };
        var dinov2 = new Option<string?>("--dinov2") { Description = "Official DINOv2 checkpoint, for a segmenter-only model file." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "Inference threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var inputSize = new Option<int?>("--input-size") { Description = "Model input side, a multiple of 14 (default: the model's own)." };
        var command = new Command("segment", "Segment the object shown by reference image(s) and mask(s) in an image, a folder of images or a video.")
        {
            reference, mask, query, output, model, dinov2, device, threads, inputSize,
        };
        command.SetAction(r => Run(r.GetValue(reference)!, r.GetValue(mask)!, r.GetValue(query)!, r.GetValue(output)!,
            new UinoSessionOptions
            {
                ModelPath = r.GetValue(model),
                EncoderCheckpoint = r.GetValue(dinov2),
                Device = r.GetValue(device)!,
                Threads = r.GetValue(threads),
                InputSize = r.GetValue(inputSize),
            }));
        return command;
    }

    /// <summary>A warning is one line on stderr, prefixed like the errors; it never changes the exit code.</summary>
    private static void Warn(string message) => Console.Error.WriteLine($"uino segment: warning: {message}");

    private static int Run(string[] references, string[] masks, string query, string outDir, UinoSessionOptions options) => CommandErrors.Run("segment", () =>
    {
        if (references.Length != masks.Length)
            throw new UinoArgumentException($"Give one --mask per --reference: got {references.Length} reference(s) and {masks.Length} mask(s).");
        using var source = QuerySource.Open(query);
        if (File.Exists(outDir)) throw new UinoArgumentException($"--out '{outDir}' is a file; give a folder.");

        using var session = new UinoSession(options);
        session.InputWarning += Warn;
        for (int i = 0; i < references.Length; i++) session.AddReference(references[i], masks[i]);
        bool colourReference = references.Any(r => { using var image = Uino.Api.ImageInput.LoadRgb(r, "reference image"); return !ColourCheck.IsGray(image); });
        bool warnedGray = false;

        var times = new List<double>();
        void SegmentOne(string name, Image<Rgb24> image)
        {
            using var _ = image;
            if (colourReference && !warnedGray && ColourCheck.IsGray(image))
            {
                warnedGray = true;
                Warn($"the query '{name}' is grayscale but the reference is in colour: the model cannot use colour cues; segment colour frames for the best results");
            }
            var watch = Stopwatch.StartNew();
            var result = session.Segment(image);
            times.Add(watch.Elapsed.TotalMilliseconds);
            using var maskImage = result.ToMaskImage();
            using var overlay = Overlay.Compose(image, result.Mask.Span, Tint);
            AtomicFile.Write(Path.Combine(outDir, name + ".mask.png"), s => maskImage.SaveAsPng(s));
            AtomicFile.Write(Path.Combine(outDir, name + ".overlay.png"), s => overlay.SaveAsPng(s));
        }

        if (source.Count == 1)
        {
            foreach (var (name, frame) in source.Frames()) SegmentOne(name, frame);
        }
        else
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            console.Progress().AutoClear(true).Start(ctx =>
            {
                // A video's frame count is the container's estimate: the bar's end moves if it was wrong.
                var task = ctx.AddTask("Segmenting", maxValue: source.Count ?? 1);
                foreach (var (name, frame) in source.Frames())
                {
                    SegmentOne(name, frame);
                    if (task.Value + 1 > task.MaxValue) task.MaxValue = task.Value + 1;
                    task.Increment(1);
                }
            });
        }
        times.Sort();
        Console.Out.WriteLine($"Segmented {times.Count} {source.Unit} with {references.Length} reference shot(s) into '{outDir}' " +
                              $"(median {times[times.Count / 2]:F0} ms per frame at {session.InputSize}px on {session.Device}).");
        return 0;
    });
}

/// <summary>Whether an image carries colour (grayscale files are decoded with R = G = B).</summary>
internal static class ColourCheck
{
    /// <summary>
    /// True when (nearly) every pixel has R = G = B: at most 0.1% of the pixels differ by more than 2 between channels,
    /// which a colour photo never satisfies and a grayscale file (or a gray JPEG re-encoded as RGB) always does.
    /// </summary>
    public static bool IsGray(Image<Rgb24> image)
    {
        long coloured = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (Math.Abs(p.R - p.G) > 2 || Math.Abs(p.G - p.B) > 2 || Math.Abs(p.R - p.B) > 2) coloured++;
        });
        return coloured <= (long)image.Width * image.Height / 1000;
    }
}
