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
        // Whole-pixel offsets keep the frame's edge crisp.
        return new FrameLayout(frameWidth, frameHeight, Math.Floor((windowWidth - w) / 2), Math.Floor((windowHeight - h) / 2), scale);
    }

    public double Width => FrameWidth * Scale;
    public double Height => FrameHeight * Scale;

    /// <summary>The frame pixel under window position (<paramref name="x"/>, <paramref name="y"/>), in index units (pixel centres at integers).</summary>
    public (double X, double Y) ToFrame(double x, double y) => ((x - X) / Scale - 0.5, (y - Y) / Scale - 0.5);

    /// <summary>The window position of frame pixel centre (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (double X, double Y) ToWindow(double x, double y) => (X + (x + 0.5) * Scale, Y + (y + 0.5) * Scale);
}
