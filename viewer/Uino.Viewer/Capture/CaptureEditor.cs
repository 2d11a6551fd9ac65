using OpenCvSharp;
using Uino.Viewer.Platform;
using Uino.Viewer.Rendering;

namespace Uino.Viewer.Capture;

internal enum CaptureTool { Brush, Box }

/// <summary>What the user asked for with the last input, for the viewer to carry out.</summary>
internal enum CaptureCommand { None, SetReference, AddShot, Cancel, Save }

/// <summary>
/// Reference capture on a frozen frame: the left button paints the object (brush or box), the right button erases,
/// the brush size follows [ ] and the wheel; Enter sets the shot as the reference, A adds it as one more shot,
/// Esc cancels, C clears the painting, B switches tool, S saves. Holds the frozen frame and its mask at the
/// frame's resolution.
/// </summary>
internal sealed class CaptureEditor : IDisposable
{
    private const double MinRadius = 1, MaxRadius = 200;
    private (double X, double Y)? lastPaint;         // frame coordinates of the previous brush position while painting
    private (double X, double Y)? boxStart;          // frame coordinates where the box drag began
    private MouseButton dragButton;

    public bool Active { get; private set; }
    public Mat Image { get; } = new();
    public byte[] Mask { get; private set; } = [];
    public int Width => Image.Width;
    public int Height => Image.Height;
    public CaptureTool Tool { get; private set; } = CaptureTool.Brush;
    /// <summary>Brush radius in frame pixels.</summary>
    public double BrushRadius { get; private set; } = 12;
    /// <summary>Changes on every edit, so the viewer uploads the mask only when it changed.</summary>
    public int MaskVersion { get; private set; }
    /// <summary>Last cursor position in window pixels (the brush outline is drawn there).</summary>
    public (double X, double Y) Cursor { get; private set; } = (-1000, -1000);
    /// <summary>Why the last confirm was refused, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Freezes <paramref name="frame"/> (copied) and starts with an empty mask.</summary>
    public void Begin(Mat frame)
    {
        frame.CopyTo(Image);
        if (Mask.Length != Image.Width * Image.Height) Mask = new byte[Image.Width * Image.Height];
        else Array.Clear(Mask);
        Active = true;
        Problem = null;
        lastPaint = null;
        boxStart = null;
        MaskVersion++;
    }

    public void End() => Active = false;

    /// <summary>The box being dragged, in frame coordinates (null when none).</summary>
    public (double X0, double Y0, double X1, double Y1)? DraggedBox(FrameLayout layout) =>
        boxStart is { } s ? Normalise(s, layout.ToFrame(Cursor.X, Cursor.Y)) : null;

    public CaptureCommand Handle(in InputEvent e, FrameLayout layout)
    {
        switch (e.Kind)
        {
            case InputKind.MouseMove:
                Cursor = (e.X, e.Y);
                if (lastPaint is { } from)
                {
                    var to = layout.ToFrame(e.X, e.Y);
                    Paint(from, to);
                    lastPaint = to;
                }
                return CaptureCommand.None;
            case InputKind.ButtonDown:
                dragButton = e.Button;
                var at = layout.ToFrame(Cursor.X, Cursor.Y);
                if (Tool == CaptureTool.Box) boxStart = at;
                else { lastPaint = at; Paint(at, at); }
                return CaptureCommand.None;
            case InputKind.ButtonUp when e.Button == dragButton:
                if (boxStart is { } start)
                {
                    var (x0, y0, x1, y1) = Normalise(start, layout.ToFrame(Cursor.X, Cursor.Y));
                    MaskPainter.Box(Mask, Width, Height, x0, y0, x1, y1, PaintValue);
                    MaskVersion++;
                }
                boxStart = null;
                lastPaint = null;
                return CaptureCommand.None;
            case InputKind.Scroll:
                SetRadius(BrushRadius * (e.Y > 0 ? 1.15 : 1 / 1.15));
                return CaptureCommand.None;
            case InputKind.KeyDown:
                return Key(e.Key);
            default:
                return CaptureCommand.None;
        }
    }

    private CaptureCommand Key(ViewerKey key)
    {
        switch (key)
        {
            case ViewerKey.Enter: return Confirm(CaptureCommand.SetReference);
            case ViewerKey.A: return Confirm(CaptureCommand.AddShot);
            case ViewerKey.Escape: return CaptureCommand.Cancel;
            case ViewerKey.S: return CaptureCommand.Save;
            case ViewerKey.B: Tool = Tool == CaptureTool.Brush ? CaptureTool.Box : CaptureTool.Brush; return CaptureCommand.None;
            case ViewerKey.C: Array.Clear(Mask); MaskVersion++; return CaptureCommand.None;
            case ViewerKey.LeftBracket: SetRadius(BrushRadius / 1.25); return CaptureCommand.None;
            case ViewerKey.RightBracket: SetRadius(BrushRadius * 1.25); return CaptureCommand.None;
            default: return CaptureCommand.None;
        }
    }

    /// <summary>The model needs object and background (an empty or full mask is refused by the session too): say so here, at once.</summary>
    private CaptureCommand Confirm(CaptureCommand command)
    {
        bool any = Mask.AsSpan().IndexOfAnyExcept((byte)0) >= 0, all = Mask.AsSpan().IndexOf((byte)0) < 0;
        Problem = !any ? "paint the object first (left button)" : all ? "leave some background unpainted" : null;
        return Problem is null ? command : CaptureCommand.None;
    }

    private byte PaintValue => dragButton == MouseButton.Right ? (byte)0 : (byte)255;

    private void Paint((double X, double Y) from, (double X, double Y) to)
    {
        MaskPainter.Capsule(Mask, Width, Height, from.X, from.Y, to.X, to.Y, BrushRadius, PaintValue);
        MaskVersion++;
    }

    private void SetRadius(double r) => BrushRadius = Math.Clamp(r, MinRadius, MaxRadius);

    private static (double, double, double, double) Normalise((double X, double Y) a, (double X, double Y) b) =>
        (Math.Min(a.X, b.X), Math.Min(a.Y, b.Y), Math.Max(a.X, b.X), Math.Max(a.Y, b.Y));

    public void Dispose() => Image.Dispose();
}
