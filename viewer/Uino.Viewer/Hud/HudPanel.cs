using OpenCvSharp;

namespace Uino.Viewer.Hud;

/// <summary>
/// Rasterises the HUD's lines into a BGRA image with OpenCV's anti-aliased Hershey font: white text on a
/// translucent dark panel, composed over the video by the fragment shader. Redrawn a few times a second, into
/// the same buffer.
/// </summary>
internal sealed class HudPanel : IDisposable
{
    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private const double FontScale = 0.5;
    private const int LineHeight = 20, Padding = 8;
    private static readonly Scalar Background = new(0, 0, 0, 170), Text = new(255, 255, 255, 255);

    public Mat Image { get; } = new();

    /// <summary>Draws <paramref name="lines"/>; returns the panel (width rounded up to 32 px so it rarely changes size).</summary>
    public Mat Render(IReadOnlyList<string> lines)
    {
        int textWidth = 0;
        foreach (var line in lines) textWidth = Math.Max(textWidth, Cv2.GetTextSize(line, Font, FontScale, 1, out _).Width);
        int width = (textWidth + 2 * Padding + 31) / 32 * 32, height = lines.Count * LineHeight + Padding;
        Image.Create(height, width, MatType.CV_8UC4);
        Image.SetTo(Background);
        for (int i = 0; i < lines.Count; i++)
            Cv2.PutText(Image, lines[i], new Point(Padding, (i + 1) * LineHeight - 4), Font, FontScale, Text, 1, LineTypes.AntiAlias);
        return Image;
    }

    public void Dispose() => Image.Dispose();
}
