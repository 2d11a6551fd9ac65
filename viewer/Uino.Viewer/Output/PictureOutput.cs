using OpenCvSharp;
using Uino.Viewer.Rendering;

namespace Uino.Viewer.Output;

/// <summary>
/// Writes what the window shows: <c>--screenshot</c> (one PNG) and <c>--record</c> (an MJPG AVI at the display
/// rate). Pictures come from the swapchain read-back and are converted into one reused BGR buffer.
/// </summary>
internal sealed class PictureOutput : IDisposable
{
    private readonly Mat bgr = new(), sized = new();
    private VideoWriter? recorder;
    private Size recordSize;
    private readonly string? recordPath;
    private readonly double recordFps;

    public int FramesRecorded { get; private set; }

    public PictureOutput(string? recordPath, double recordFps) => (this.recordPath, this.recordFps) = (recordPath, recordFps);

    public void WriteScreenshot(Picture picture, string path)
    {
        ToBgr(picture);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        if (!Cv2.ImWrite(path, bgr)) throw new ViewerException($"Could not write the screenshot '{path}' (is the extension .png or .jpg?).");
    }

    /// <summary>Appends a frame to the recording (opened on the first frame, at that frame's size; later sizes are scaled to it).</summary>
    public void Record(Picture picture)
    {
        if (recordPath is null) return;
        ToBgr(picture);
        if (recorder is null)
        {
            recordSize = new Size(picture.Width, picture.Height);
            var folder = Path.GetDirectoryName(Path.GetFullPath(recordPath));
            if (folder is not null) Directory.CreateDirectory(folder);
            recorder = new VideoWriter(recordPath, FourCC.MJPG, recordFps, recordSize);
            if (!recorder.IsOpened()) throw new ViewerException($"Could not open '{recordPath}' for recording (MJPG AVI).");
        }
        if (bgr.Width == recordSize.Width && bgr.Height == recordSize.Height) recorder.Write(bgr);
        else
        {
            Cv2.Resize(bgr, sized, recordSize, interpolation: InterpolationFlags.Area);
            recorder.Write(sized);
        }
        FramesRecorded++;
    }

    private unsafe void ToBgr(Picture picture)
    {
        fixed (byte* p = picture.Pixels)
        {
            using var view = Mat.FromPixelData(picture.Height, picture.Width, MatType.CV_8UC4, (nint)p);
            Cv2.CvtColor(view, bgr, picture.Bgra ? ColorConversionCodes.BGRA2BGR : ColorConversionCodes.RGBA2BGR);
        }
    }

    public void Dispose()
    {
        recorder?.Release();
        recorder?.Dispose();
        bgr.Dispose();
        sized.Dispose();
    }
}
