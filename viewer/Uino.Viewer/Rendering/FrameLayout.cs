namespace Uino.Viewer.Rendering;

/// <summary>
/// Where a frame of <see cref="FrameWidth"/>×<see cref="FrameHeight"/> sits in the window: scaled to fit, aspect
/// kept, centred (letterbox). Maps window pixels to frame pixels for the capture tools.
/// </summary>
internal readonly record struct FrameLayout(int FrameWidth, int FrameHeight, double X, double Y, double Scale)
{
    public static FrameLayout Fit(int frameWidth, int frameHeight, int windowWidth, int windowHeight)
    {
        double scale = Math.Min((double)windowWidth / frameWidth, (double)windowHeight / frameHeight);
        double w = frameWidth * scale, h = frameHeight * scale;
        // Whole-pixel offsets keep the frame's edge crisp; the tolerance absorbs scale·size landing a hair above the window size.
        return new FrameLayout(frameWidth, frameHeight, Offset(windowWidth - w), Offset(windowHeight - h), scale);
    }

    private static double Offset(double spare) => Math.Max(0, Math.Floor(spare / 2 + 1e-6));

    public double Width => FrameWidth * Scale;
    public double Height => FrameHeight * Scale;

    /// <summary>The frame pixel under window position (<paramref name="x"/>, <paramref name="y"/>), in index units (pixel centres at integers).</summary>
    public (double X, double Y) ToFrame(double x, double y) => ((x - X) / Scale - 0.5, (y - Y) / Scale - 0.5);

    /// <summary>The window position of frame pixel centre (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (double X, double Y) ToWindow(double x, double y) => (X + (x + 0.5) * Scale, Y + (y + 0.5) * Scale);
}
