using System.CommandLine;
using System.Globalization;

namespace Uino.Viewer;

/// <summary>The <c>uino-viewer</c> command line: parses and checks the options, runs the viewer, turns errors into one line and an exit code.</summary>
internal static class ViewerCommand
{
    public const int UserError = 2, Bug = 1;

    public static int Run(string[] args)
    {
        var camera = new Option<int?>("--camera") { Description = "Camera index (OpenCV VideoCapture: V4L2 on Linux, MSMF/DirectShow on Windows)." };
        var source = new Option<string?>("--source") { Description = "A video file (.avi, .mp4, …), an image, or a folder of images." };
        var loop = new Option<bool>("--loop") { Description = "Start the file or folder again at its end." };
        var reconnect = new Option<double>("--reconnect")
        {
            Description = "Seconds to keep reopening a camera that stopped delivering frames (unplugged, driver reset); 0 ends at once.",
            DefaultValueFactory = _ => 30,
        };
        var fps = new Option<double?>("--fps") { Description = "Display (and folder playback) rate; default: the source's own, 10 for folders, 30 when unknown." };
        var reference = new Option<string[]>("--reference") { Description = "Reference image; repeat with --mask for K-shot.", AllowMultipleArgumentsPerToken = false };
        var mask = new Option<string[]>("--mask") { Description = "Mask of the matching --reference (nonzero = object)." };
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded model)." };
        var dinov2 = new Option<string?>("--dinov2") { Description = "Official DINOv2 checkpoint, for a segmenter-only model file." };
        var inputSize = new Option<int?>("--input-size") { Description = "Inference input side (multiple of 14; default: the model's)." };
        var threads = new Option<int>("--threads") { Description = "Inference threads (0 = one per core)." };
        var size = new Option<string?>("--size") { Description = "Window size WxH (default: the frame scaled to fit 1280x720)." };
        var frames = new Option<long?>("--frames") { Description = "Stop after N displayed frames (headless runs, demos)." };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds (soak runs, demos)." };
        var screenshot = new Option<string?>("--screenshot") { Description = "Write the window's picture at the last frame to this PNG (waits for the first mask when a reference is set)." };
        var record = new Option<string?>("--record") { Description = "Record the composed window to this MJPG .avi." };
        var script = new Option<string?>("--script") { Description = "Replay timed input events from a file (see docs/viewer.md)." };
        var stats = new Option<string?>("--stats") { Description = "Write measured rates, layout and memory as JSON at exit." };
        var saveDir = new Option<string>("--save-dir") { Description = "Where S saves captured shots.", DefaultValueFactory = _ => "." };
        var root = new RootCommand("Uino viewer: live few-shot segmentation. Capture a shot of an object in the window (Space, paint, Enter); it is then highlighted in every frame.")
        {
            camera, source, loop, reconnect, fps, reference, mask, model, dinov2, inputSize, threads, size, frames, seconds, screenshot, record, script, stats, saveDir,
        };
        root.SetAction(r =>
        {
            try
            {
                var refs = r.GetValue(reference) ?? [];
                var masks = r.GetValue(mask) ?? [];
                var options = new ViewerOptions
                {
                    Camera = r.GetValue(camera), Source = r.GetValue(source), Loop = r.GetValue(loop), Fps = r.GetValue(fps),
                    Reconnect = Seconds(r.GetValue(reconnect), "--reconnect"),
                    References = Pair(refs, masks), ModelPath = r.GetValue(model), Dinov2 = r.GetValue(dinov2),
                    InputSize = r.GetValue(inputSize), Threads = r.GetValue(threads), WindowSize = ParseSize(r.GetValue(size)),
                    Frames = r.GetValue(frames), Seconds = r.GetValue(seconds), Screenshot = r.GetValue(screenshot), Record = r.GetValue(record),
                    Script = r.GetValue(script), Stats = r.GetValue(stats), SaveDir = r.GetValue(saveDir) ?? ".",
                };
                Validate(options);
                return ViewerApp.Run(options);
            }
            catch (Exception e) when (e is ViewerException or UinoException)
            {
                Console.Error.WriteLine($"uino-viewer: {e.Message}");
                return UserError;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"uino-viewer: unexpected error ({e.GetType().Name}): {e.Message}");
                return Bug;
            }
        });
        return root.Parse(args).Invoke();
    }

    private static TimeSpan Seconds(double value, string option) =>
        double.IsFinite(value) && value >= 0 && value <= TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(value)
            : throw new ViewerException($"{option} takes a number of seconds ≥ 0, got {value}.");

    private static IReadOnlyList<(string, string)> Pair(string[] refs, string[] masks)
    {
        if (refs.Length != masks.Length)
            throw new ViewerException($"{refs.Length} --reference but {masks.Length} --mask: give one mask per reference image.");
        return refs.Zip(masks).ToList();
    }

    private static (int, int)? ParseSize(string? text)
    {
        if (text is null) return null;
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int w) &&
            int.TryParse(parts[1], CultureInfo.InvariantCulture, out int h) && w >= 64 && h >= 64 && w <= 8192 && h <= 8192)
            return (w, h);
        throw new ViewerException($"--size '{text}' is not WIDTHxHEIGHT with sides from 64 to 8192 (e.g. 960x540).");
    }

    private static void Validate(ViewerOptions o)
    {
        if ((o.Camera is null) == (o.Source is null))
            throw new ViewerException("Give exactly one source: --camera N or --source FILE|FOLDER.");
        if (o.Camera < 0) throw new ViewerException($"--camera {o.Camera}: camera indices start at 0.");
        if (o.Fps is { } f && (!double.IsFinite(f) || f <= 0 || f > 240)) throw new ViewerException($"--fps {f}: use a rate from above 0 to 240.");
        if (o.Frames is < 1) throw new ViewerException($"--frames {o.Frames}: run at least 1 frame.");
        if (o.Seconds is { } sec && (!double.IsFinite(sec) || sec <= 0)) throw new ViewerException($"--seconds {sec}: give a positive duration.");
        if (o.Threads < 0) throw new ViewerException($"--threads {o.Threads}: use 0 (one per core) or a positive count.");
        if (o.Screenshot is not null && o.Frames is null)
            throw new ViewerException("--screenshot needs --frames N: the picture is taken at frame N, then the viewer exits.");
        foreach (var (image, maskPath) in o.References)
        {
            if (!File.Exists(image)) throw new ViewerException($"The reference image '{image}' does not exist.");
            if (!File.Exists(maskPath)) throw new ViewerException($"The reference mask '{maskPath}' does not exist.");
        }
    }
}
