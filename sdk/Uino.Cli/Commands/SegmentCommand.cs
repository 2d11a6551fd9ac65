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
/// Q, an image or a folder of images, writing <c>DIR/&lt;name&gt;.mask.png</c> (8-bit, 0/255, the query's size)
/// and <c>DIR/&lt;name&gt;.overlay.png</c> (the query with the mask tinted and outlined). Every input is checked
/// before anything is written, and each file is written through a temporary file renamed into place, so a failure
/// never leaves a half-written file (images finished before a failure stay). Video input is not read yet: it
/// arrives with the viewer (OpenCvSharp is not a dependency of the CLI); extract frames to a folder meanwhile.
/// </summary>
internal static class SegmentCommand
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".tif", ".tiff", ".webp", ".pbm",
    };

    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".wmv", ".mpg", ".mpeg", ".flv",
    };

    /// <summary>Tint of the overlay: magenta stands out against most scenes (and against the samples' green).</summary>
    private static readonly Rgb24 Tint = new(255, 0, 170);

    public static Command Create()
    {
        var reference = new Option<string[]>("--reference", "-r") { Description = "Reference image; repeat with --mask for K shots.", Required = true };
        var mask = new Option<string[]>("--mask") { Description = "Mask of the preceding --reference (same size; nonzero = object).", Required = true };
        var query = new Option<string>("--query", "-q") { Description = "Image or folder of images to segment (*.mask.png and *.overlay.png in a folder are skipped).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for <name>.mask.png and <name>.overlay.png.", Required = true };
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded model)." };
        var dinov2 = new Option<string?>("--dinov2") { Description = "Official DINOv2 checkpoint, for a segmenter-only model file." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "Inference threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var inputSize = new Option<int?>("--input-size") { Description = "Model input side, a multiple of 14 (default: the model's own)." };
        var command = new Command("segment", "Segment the object shown by reference image(s) and mask(s) in an image or a folder of images.")
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

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static int Run(string[] references, string[] masks, string query, string outDir, UinoSessionOptions options)
    {
        try
        {
            if (references.Length != masks.Length)
                throw new UinoArgumentException($"Give one --mask per --reference: got {references.Length} reference(s) and {masks.Length} mask(s).");
            var queries = ResolveQueries(query);
            var names = queries.Select(q => Path.GetFileNameWithoutExtension(q)).ToList();
            var clash = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (clash != null)
                throw new UinoArgumentException($"Several queries would write '{clash.Key}.mask.png' (same name, different extensions) in '{query}'.");
            foreach (var q in queries) CheckReadable(q);
            if (File.Exists(outDir)) throw new UinoArgumentException($"--out '{outDir}' is a file; give a folder.");

            using var session = new UinoSession(options);
            for (int i = 0; i < references.Length; i++) session.AddReference(references[i], masks[i]);

            var times = new List<double>();
            void SegmentOne(int i)
            {
                using var image = Image.Load<Rgb24>(queries[i]);
                var watch = Stopwatch.StartNew();
                var result = session.Segment(image);
                times.Add(watch.Elapsed.TotalMilliseconds);
                using var maskImage = result.ToMaskImage();
                using var overlay = Overlay.Compose(image, result.Mask.Span, Tint);
                AtomicFile.Write(Path.Combine(outDir, names[i] + ".mask.png"), s => maskImage.SaveAsPng(s));
                AtomicFile.Write(Path.Combine(outDir, names[i] + ".overlay.png"), s => overlay.SaveAsPng(s));
            }

            if (queries.Count == 1)
            {
                SegmentOne(0);
            }
            else
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
                console.Progress().AutoClear(true).Start(ctx =>
                {
                    var task = ctx.AddTask("Segmenting", maxValue: queries.Count);
                    for (int i = 0; i < queries.Count; i++)
                    {
                        SegmentOne(i);
                        task.Increment(1);
                    }
                });
            }
            times.Sort();
            Console.Out.WriteLine($"Segmented {queries.Count} image(s) with {references.Length} reference shot(s) into '{outDir}' " +
                                  $"(median {times[times.Count / 2]:F0} ms per frame at {session.InputSize}px on {session.Device}).");
            return 0;
        }
        catch (Exception e) when (e is UinoException or IOException or UnauthorizedAccessException or ImageFormatException)
        {
            Console.Error.WriteLine($"uino segment: {OneLine(e.Message)}");
            return 1;
        }
        catch (Exception e)
        {
            // The command line's promise is one line and a non-zero code, never a stack trace; the type says where to look.
            Console.Error.WriteLine($"uino segment: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>The query images: the file itself, or the folder's images sorted by name (masks and overlays skipped).</summary>
    private static List<string> ResolveQueries(string query)
    {
        if (File.Exists(query))
        {
            if (VideoExtensions.Contains(Path.GetExtension(query)))
                throw new UinoArgumentException($"'{query}' is a video; video input arrives with the viewer. Extract its frames to a folder meanwhile (e.g. ffmpeg -i '{query}' frames/%05d.png) and pass the folder.");
            return new List<string> { query };
        }
        if (Directory.Exists(query))
        {
            var files = Directory.EnumerateFiles(query)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Where(f => !IsOutputName(Path.GetFileNameWithoutExtension(f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0) throw new UinoArgumentException($"The query folder '{query}' holds no images ({string.Join(", ", ImageExtensions.Order())}).");
            return files;
        }
        throw new UinoNotFoundException($"The query '{query}' does not exist.", query);
    }

    private static bool IsOutputName(string stem) =>
        stem.EndsWith(".mask", StringComparison.OrdinalIgnoreCase) || stem.EndsWith(".overlay", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the header only, so a bad image among many is reported before any output exists.</summary>
    private static void CheckReadable(string path)
    {
        try
        {
            _ = Image.Identify(path) ?? throw new UinoArgumentException($"The query '{path}' is not a readable image.");
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException)
        {
            throw new UinoArgumentException($"The query '{path}' is not a readable image: {e.Message}", e);
        }
    }
}
