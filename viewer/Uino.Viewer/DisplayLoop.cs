using System.Diagnostics;
using System.Numerics;
using OpenCvSharp;
using Uino.Viewer.Capture;
using Uino.Viewer.Hud;
using Uino.Viewer.Live;
using Uino.Viewer.Output;
using Uino.Viewer.Platform;
using Uino.Viewer.Rendering;

namespace Uino.Viewer;

/// <summary>
/// The display thread: each tick handles input, shows the newest frame with the newest finished mask (or the
/// frozen frame and its painting while capturing), refreshes the HUD a few times a second, presents, and paces
/// itself to the source's rate (there may be no vertical sync, e.g. under Xvfb).
/// </summary>
internal sealed class DisplayLoop : IDisposable
{
    private static readonly Vector4 LiveTint = new(1.0f, 0.15f, 0.55f, 0.45f), LiveOutline = new(1.0f, 0.9f, 0.1f, 2f);
    private static readonly Vector4 PaintTint = new(0.1f, 0.75f, 1.0f, 0.5f), PaintOutline = new(1f, 1f, 1f, 1.5f);
    private const double HudRefreshSeconds = 0.25, HudMargin = 8;

    private readonly ViewerOptions options;
    private readonly IViewerWindow window;
    private readonly OverlayRenderer renderer;
    private readonly LatestSlot<Frame> frames;
    private readonly LatestSlot<MaskFrame> masks;
    private readonly CaptureLoop capture;
    private readonly InferenceLoop inference;
    private readonly InputScript? script;
    private readonly string modelLabel, inferenceDevice, renderDevice, sourceLabel;
    private readonly double period;
    private readonly CaptureEditor editor = new();
    private readonly HudPanel hud = new();
    private readonly PictureOutput output;
    private readonly RateMeter displayRate = new();
    private readonly Queue<InputEvent> events = new();
    private readonly List<string> saved = new();
    private readonly Stopwatch clock = new();

    private Frame? current;                   // the live frame on screen (one reference held)
    private MaskFrame? shownMask;             // the live mask on screen (one reference held)
    private bool frameUploadNeeded, maskUploadNeeded, showHelp = true, quit;
    private int uploadedPaintVersion = -1;
    private double nextHud;
    private string? statusText, lastInferenceStatus;
    private double statusUntil;
    private const double StatusSeconds = 6;
    private (Mat Image, byte[] Mask)? lastShot;
    private long shown;
    private double firstShownAt = -1, lastShownAt;
    private string? screenshotWritten;
    private FrameLayout layout;
    private double maskWaitStart = -1;

    public DisplayLoop(ViewerOptions options, IViewerWindow window, OverlayRenderer renderer, LatestSlot<Frame> frames, LatestSlot<MaskFrame> masks,
                       CaptureLoop capture, InferenceLoop inference, InputScript? script, string modelLabel, string inferenceDevice,
                       string renderDevice, string sourceLabel, double displayFps)
    {
        (this.options, this.window, this.renderer, this.frames, this.masks) = (options, window, renderer, frames, masks);
        (this.capture, this.inference, this.script) = (capture, inference, script);
        (this.modelLabel, this.inferenceDevice, this.renderDevice, this.sourceLabel) = (modelLabel, inferenceDevice, renderDevice, sourceLabel);
        period = 1.0 / displayFps;
        output = new PictureOutput(options.Record, displayFps);
    }

    public void Run()
    {
        clock.Start();
        double next = 0;
        while (!quit)
        {
            window.PollEvents(events);
            script?.Feed(shown, events);
            while (!quit && events.TryDequeue(out var e)) Handle(e);
            if (quit || window.CloseRequested) break;
            if (renderer.BeginFrame()) DrawFrame();
            if (Done()) break;
            // Pace: the display runs at the source's rate (painting stays smooth at 30 Hz or more).
            next += editor.Active ? Math.Min(period, 1.0 / 30) : period;
            double now = clock.Elapsed.TotalSeconds;
            if (next > now) Thread.Sleep(TimeSpan.FromSeconds(next - now));
            else if (now - next > 0.5) next = now;   // far behind (busy machine): do not try to catch up in a burst
        }
    }

    private bool Done()
    {
        if (options.Seconds is { } limitSeconds && clock.Elapsed.TotalSeconds >= limitSeconds) return true;
        if (options.Frames is not { } limit || shown < limit) return false;
        if (options.Screenshot is null) return true;
        return screenshotWritten is not null;
    }

    private void DrawFrame()
    {
        var (ww, wh) = renderer.Size;
        if (TakeNewest<Frame>(frames, ref current)) frameUploadNeeded = true;
        if (TakeNewest<MaskFrame>(masks, ref shownMask)) maskUploadNeeded = true;
        bool maskValid = shownMask is not null && shownMask.Generation == inference.Generation && inference.ReferenceCount > 0;
        var image = editor.Active ? editor.Image : current?.Image;
        if (image is not null)
        {
            layout = FrameLayout.Fit(image.Width, image.Height, ww, wh);
            UploadImage(image);
            UploadMask(maskValid);
        }
        var hudSize = RefreshHud();

        var p = OverlayParams.Empty;
        p.Flags = new Vector4(image is null ? 0 : 1, 0, 0, 0);
        p.FrameRect = new Vector4((float)layout.X, (float)layout.Y, (float)layout.Width, (float)layout.Height);
        p.HudRect = new Vector4((float)HudMargin, (float)(wh - hudSize.Height - HudMargin), hudSize.Width, hudSize.Height);
        if (editor.Active)
        {
            (p.Tint, p.Outline) = (PaintTint, PaintOutline);
            if (editor.Tool == CaptureTool.Brush)
                p.Cursor = new Vector4((float)editor.Cursor.X, (float)editor.Cursor.Y, (float)(editor.BrushRadius * layout.Scale), 1);
            if (editor.DraggedBox(layout) is { } b)
            {
                var (x0, y0) = layout.ToWindow(b.X0, b.Y0);
                var (x1, y1) = layout.ToWindow(b.X1, b.Y1);
                p.Box = new Vector4((float)x0, (float)y0, (float)x1, (float)y1);
            }
        }
        else if (maskValid) (p.Tint, p.Outline) = (LiveTint, LiveOutline);

        bool counted = image is not null;
        bool screenshotNow = counted && options.Screenshot is not null && screenshotWritten is null && options.Frames is { } limit
                             && shown + 1 >= limit && (maskValid || (inference.ReferenceCount == 0 && inference.PendingRequests == 0) || MaskWaitOver());
        bool readBack = screenshotNow || (options.Record is not null && counted);
        renderer.EndFrame(p, readBack);
        if (counted)
        {
            shown++;
            displayRate.Tick();
            lastShownAt = clock.Elapsed.TotalSeconds;
            if (firstShownAt < 0) firstShownAt = lastShownAt;
        }
        if (!readBack) return;
        var picture = renderer.ReadBack();
        if (options.Record is not null) output.Record(picture);
        if (screenshotNow)
        {
            output.WriteScreenshot(picture, options.Screenshot!);
            screenshotWritten = options.Screenshot;
            if (!maskValid && inference.ReferenceCount > 0)
                Console.Error.WriteLine($"uino-viewer: no mask was finished {options.MaskWaitSeconds:0} s after frame {options.Frames}; the screenshot has no overlay.");
        }
    }

    private bool MaskWaitOver()
    {
        double now = clock.Elapsed.TotalSeconds;
        if (maskWaitStart < 0) maskWaitStart = now;
        return now - maskWaitStart > options.MaskWaitSeconds;
    }

    /// <summary>Swaps <paramref name="held"/> for the slot's newest item if there is a newer one (references kept balanced).</summary>
    private static bool TakeNewest<T>(LatestSlot<T> slot, ref T? held) where T : PooledItem
    {
        var newer = slot.TakeNewer(held?.Sequence ?? 0);
        if (newer is null) return false;
        held?.Release();
        held = newer;
        return true;
    }

    private void UploadImage(Mat image)
    {
        if (!frameUploadNeeded) return;
        var texture = renderer.FrameTextureSized(image.Width, image.Height);
        Cv2.CvtColor(image, texture.StagingMat, ColorConversionCodes.BGR2BGRA);   // straight into the mapped staging memory
        texture.MarkDirty();
        frameUploadNeeded = false;
    }

    private void UploadMask(bool liveMaskValid)
    {
        if (editor.Active)
        {
            if (uploadedPaintVersion == editor.MaskVersion) return;
            var texture = renderer.MaskTextureSized(editor.Width, editor.Height);
            editor.Mask.CopyTo(texture.Staging.Bytes);
            texture.MarkDirty();
            uploadedPaintVersion = editor.MaskVersion;
            maskUploadNeeded = true;   // the live mask must go back up when capture ends
            return;
        }
        if (!maskUploadNeeded || !liveMaskValid || shownMask is null) return;
        var t = renderer.MaskTextureSized(shownMask.Width, shownMask.Height);
        shownMask.Mask.CopyTo(t.Staging.Bytes);
        t.MarkDirty();
        maskUploadNeeded = false;
    }

    private Size RefreshHud()
    {
        double now = clock.Elapsed.TotalSeconds;
        var texture = renderer.HudTexture;
        if (now < nextHud) return new Size(texture.Width, texture.Height);
        nextHud = now + HudRefreshSeconds;
        string mode = editor.Active ? $"CAPTURE ({(editor.Tool == CaptureTool.Brush ? $"brush r={editor.BrushRadius:0} px" : "box")})" : "LIVE";
        var state = new HudState(displayRate.PerSecond, inference.Rate.PerSecond, inference.LastLatencyMs, inference.ReferenceCount,
                                 modelLabel, inferenceDevice, renderDevice, sourceLabel, capture.Ended, mode,
                                 Status(), editor.Active, showHelp);
        var panel = hud.Render(state.Lines());
        texture = renderer.HudTextureSized(panel.Width, panel.Height);
        panel.CopyTo(texture.StagingMat);
        texture.MarkDirty();
        return new Size(panel.Width, panel.Height);
    }

    /// <summary>Shows <paramref name="text"/> in the HUD's mode line for a few seconds.</summary>
    private void Say(string text) => (statusText, statusUntil) = (text, clock.Elapsed.TotalSeconds + StatusSeconds);

    private string? Status()
    {
        if (!ReferenceEquals(inference.Status, lastInferenceStatus))
        {
            lastInferenceStatus = inference.Status;
            if (lastInferenceStatus is not null) Say(lastInferenceStatus);
        }
        return editor.Problem
               ?? (inference.PendingRequests > 0 ? "encoding the reference…" : null)
               ?? (clock.Elapsed.TotalSeconds < statusUntil ? statusText : null)
               ?? capture.Problem;
    }

    private void Handle(in InputEvent e)
    {
        switch (e.Kind)
        {
            case InputKind.Quit: quit = true; return;
            case InputKind.Resize: renderer.NotifyResized(); return;
            case InputKind.RequestResize: window.RequestSize((int)e.X, (int)e.Y); renderer.NotifyResized(); return;
        }
        nextHud = 0;   // any input may change what the HUD says
        if (editor.Active) { HandleCapture(e); return; }
        if (e.Kind == InputKind.MouseMove) return;
        if (e.Kind != InputKind.KeyDown) return;
        switch (e.Key)
        {
            case ViewerKey.Space when current is not null:
                editor.Begin(current.Image);
                frameUploadNeeded = true;
                break;
            case ViewerKey.X:
                inference.Request(new ReferenceRequest(ReferenceAction.Clear));
                break;
            case ViewerKey.S:
                if (lastShot is { } shot) Save(shot.Image, shot.Mask);
                else Say("nothing captured yet to save (Space to capture)");
                break;
            case ViewerKey.H: showHelp = !showHelp; break;
            case ViewerKey.Q: quit = true; break;
        }
    }

    private void HandleCapture(in InputEvent e)
    {
        var command = editor.Handle(e, layout);
        switch (command)
        {
            case CaptureCommand.SetReference or CaptureCommand.AddShot:
                bool replace = command == CaptureCommand.SetReference;
                lastShot?.Image.Dispose();
                lastShot = (editor.Image.Clone(), editor.Mask.ToArray());
                inference.Request(new ReferenceRequest(replace ? ReferenceAction.Replace : ReferenceAction.Add, editor.Image.Clone(), editor.Mask.ToArray()));
                EndCapture();
                break;
            case CaptureCommand.Cancel:
                Say("capture cancelled");
                EndCapture();
                break;
            case CaptureCommand.Save:
                Save(editor.Image, editor.Mask);
                break;
        }
    }

    private void EndCapture()
    {
        editor.End();
        frameUploadNeeded = true;
        maskUploadNeeded = true;
    }

    private void Save(Mat image, byte[] mask)
    {
        var (imagePath, maskPath) = ReferenceFiles.Save(options.SaveDir, image, mask);
        saved.Add(imagePath);
        saved.Add(maskPath);
        Say($"saved {imagePath}");
    }

    public ViewerStats Stats(int framePoolSize, int maskPoolSize)
    {
        var (ww, wh) = renderer.Size;
        double seconds = lastShownAt - firstShownAt;
        using var process = Process.GetCurrentProcess();
        return new ViewerStats
        {
            Seconds = clock.Elapsed.TotalSeconds, FramesShown = shown, DisplayFps = shown > 1 && seconds > 0 ? (shown - 1) / seconds : 0,
            FramesCaptured = capture.Rate.Total, Inferences = inference.Rate.Total, InferenceFps = inference.Rate.PerSecond,
            LatencyMedianMs = inference.MedianLatencyMs, References = inference.ReferenceCount,
            MaskShown = shownMask is not null && shownMask.Generation == inference.Generation,
            WindowWidth = ww, WindowHeight = wh, FrameRect = [layout.X, layout.Y, layout.Width, layout.Height],
            HudRect = [HudMargin, wh - renderer.HudTexture.Height - HudMargin, renderer.HudTexture.Width, renderer.HudTexture.Height],
            SwapchainCreations = renderer.SwapchainCreations, FramePoolSize = framePoolSize, MaskPoolSize = maskPoolSize,
            ResidentMb = process.WorkingSet64 / 1048576.0, ManagedHeapMb = GC.GetTotalMemory(false) / 1048576.0,
            Status = Status(), RenderDevice = renderDevice, Screenshot = screenshotWritten, FramesRecorded = output.FramesRecorded, Saved = saved.ToArray(),
        };
    }

    public void Dispose()
    {
        current?.Release();
        shownMask?.Release();
        current = null;
        shownMask = null;
        lastShot?.Image.Dispose();
        editor.Dispose();
        hud.Dispose();
        output.Dispose();
    }
}
