using Uino.Viewer.Live;
using Uino.Viewer.Platform;
using Uino.Viewer.Rendering;
using Uino.Viewer.Sources;

namespace Uino.Viewer;

/// <summary>
/// Builds the viewer in the order that fails fastest (source, window, Vulkan, then the model, which takes seconds),
/// starts the capture and inference threads, runs the display loop on this thread (GLFW wants its events on the
/// main thread), and tears everything down in reverse.
/// </summary>
internal static class ViewerApp
{
    private const int MaxWindowWidth = 1280, MaxWindowHeight = 720;
    /// <summary>Slow sources (a folder at 1 image/s) still get a display that answers the mouse and keys.</summary>
    private const double MinDisplayFps = 10;

    public static int Run(ViewerOptions options)
    {
        // The viewer reports every failure in one sentence of its own; OpenCV's backend chatter (a V4L2 probe
        // warning per missing camera, FFmpeg notices) would bury it.
        OpenCvSharp.Cv2.SetLogLevel(OpenCvSharp.LogLevel.SILENT);
        var script = options.Script is null ? null : InputScript.Load(options.Script);
        using var source = OpenSource(options);
        var (width, height) = options.WindowSize ?? DefaultWindowSize(source.Width, source.Height);
        using var window = GlfwWindow.Open(width, height, $"Uino viewer — {source.Description}");
        using var gpu = new VulkanDevice(window);
        using var renderer = new OverlayRenderer(gpu, window);
        using var session = new UinoSession(new UinoSessionOptions
        {
            ModelPath = options.ModelPath, EncoderCheckpoint = options.Dinov2, InputSize = options.InputSize, Threads = options.Threads,
        });
        foreach (var (image, mask) in options.References) session.AddReference(image, mask);

        using var framePool = new ItemPool<Frame>(() => new Frame(), f => f.Image.Dispose());
        using var maskPool = new ItemPool<MaskFrame>(() => new MaskFrame());
        using var frames = new LatestSlot<Frame>();
        using var masks = new LatestSlot<MaskFrame>();
        using var capture = new CaptureLoop(source, options.Loop, frames, framePool, options.Reconnect);
        using var inference = new InferenceLoop(session, frames, masks, maskPool);
        var model = options.ModelPath is null ? "embedded default" : Path.GetFileName(options.ModelPath);
        var display = new DisplayLoop(options, window, renderer, frames, masks, capture, inference, script,
                                      modelLabel: $"{model} ({session.Variant}, {session.InputSize} px)", inferenceDevice: session.Device,
                                      renderDevice: gpu.Name.Split(" (")[0], sourceLabel: $"{source.Description} {source.Width}x{source.Height} @ {source.Fps:0.#} fps{(options.Loop ? ", loop" : "")}",
                                      displayFps: Math.Max(options.Fps ?? source.Fps, MinDisplayFps));
        capture.Start();
        inference.Start();
        try
        {
            display.Run();
            // Measured before anything stops, so the numbers describe the running viewer.
            if (options.Stats is not null) display.Stats(framePool.Created, maskPool.Created).Write(options.Stats);
        }
        finally
        {
            // Threads first (they hold pooled buffers and the session), then the GPU objects (the using order).
            frames.Close();
            masks.Close();
            capture.Dispose();
            inference.Dispose();
            display.Dispose();
        }
        return 0;
    }

    private static IFrameSource OpenSource(ViewerOptions o)
    {
        if (o.Camera is { } index) return VideoSource.OpenCamera(index, o.Fps ?? 30);
        var path = o.Source!;
        if (Directory.Exists(path)) return ImageFilesSource.FromFolder(path, o.Fps ?? 10);
        if (ImageFilesSource.IsImageFile(path)) return ImageFilesSource.FromFile(path, o.Fps ?? 10);
        return VideoSource.OpenFile(path, o.Fps ?? 30);
    }

    /// <summary>The frame at the largest scale that fits 1280×720 (small frames are enlarged, so the HUD fits beside them).</summary>
    private static (int, int) DefaultWindowSize(int w, int h)
    {
        double scale = Math.Min((double)MaxWindowWidth / w, (double)MaxWindowHeight / h);
        return (Math.Max(64, (int)Math.Round(w * scale)), Math.Max(64, (int)Math.Round(h * scale)));
    }
}
