using OpenCvSharp;

namespace Uino.Viewer.Sources;

/// <summary>A camera (V4L2, MSMF, DirectShow: whatever OpenCV picks) or a video file, through OpenCV's VideoCapture.</summary>
internal sealed class VideoSource : IFrameSource
{
    private VideoCapture capture;
    private readonly string? path;
    private readonly int? cameraIndex;
    private Mat? first;   // decoded while opening (to learn the size), handed out by the first Read

    public string Description { get; }
    public int Width { get; }
    public int Height { get; }
    public double Fps { get; }
    public bool IsLive => path is null;

    private VideoSource(VideoCapture capture, string description, string? path, int? cameraIndex, Mat first, double fallbackFps)
    {
        this.capture = capture;
        this.path = path;
        this.cameraIndex = cameraIndex;
        this.first = first;
        Description = description;
        (Width, Height) = (first.Width, first.Height);
        double fps = capture.Get(VideoCaptureProperties.Fps);
        // Containers without a rate (or absurd ones) play at the fallback rate.
        Fps = double.IsFinite(fps) && fps >= 1 && fps <= 240 ? fps : fallbackFps;
    }

    public static VideoSource OpenCamera(int index, double fallbackFps)
    {
        var capture = new VideoCapture(index);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new ViewerException($"Camera {index} could not be opened: no such camera, or another program is using it" +
                                      (OperatingSystem.IsLinux() ? $" (Linux: /dev/video{index})." : "."));
        }
        return WithFirstFrame(capture, $"camera {index}", null, index, fallbackFps,
                              $"Camera {index} opened but delivered no picture.");
    }

    public static VideoSource OpenFile(string path, double fallbackFps)
    {
        if (!File.Exists(path)) throw new ViewerException($"The video '{path}' does not exist.");
        var capture = new VideoCapture(path);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new ViewerException($"The video '{path}' could not be opened: not a video format OpenCV's FFmpeg can decode.");
        }
        return WithFirstFrame(capture, Path.GetFileName(path), path, null, fallbackFps, $"The video '{path}' has no readable frame.");
    }

    private static VideoSource WithFirstFrame(VideoCapture capture, string description, string? path, int? cameraIndex, double fallbackFps,
                                              string noFrame)
    {
        var first = new Mat();
        if (!capture.Read(first) || first.Empty())
        {
            first.Dispose();
            capture.Dispose();
            throw new ViewerException(noFrame);
        }
        return new VideoSource(capture, description, path, cameraIndex, first, fallbackFps);
    }

    public bool Read(Mat into)
    {
        if (first is not null)
        {
            first.CopyTo(into);
            first.Dispose();
            first = null;
            return true;
        }
        return capture.Read(into) && !into.Empty();
    }

    public bool Rewind() => path is not null && capture.Set(VideoCaptureProperties.PosFrames, 0);

    public bool Reopen()
    {
        if (cameraIndex is not { } index) return false;
        var again = new VideoCapture(index);
        var probe = new Mat();
        // Same size only: the display's textures and the pooled frames were made for it.
        if (!again.IsOpened() || !again.Read(probe) || probe.Empty() || probe.Width != Width || probe.Height != Height)
        {
            probe.Dispose();
            again.Dispose();
            return false;
        }
        capture.Dispose();
        capture = again;
        first?.Dispose();
        first = probe;
        return true;
    }

    public void Dispose()
    {
        first?.Dispose();
        capture.Dispose();
    }
}
