using NUnit.Framework;
using OpenCvSharp;

namespace Uino.Viewer.Tests.Support;

/// <summary>Short MJPG AVIs made from the sample images, and the frames as the viewer will decode them.</summary>
internal static class TestVideo
{
    /// <summary>Writes <paramref name="frames"/> copies of <paramref name="image"/> at <paramref name="fps"/>: a still scene, so every mask matches every frame.</summary>
    public static string Still(string folder, string image, int frames, double fps)
    {
        var path = Path.Combine(folder, "still.avi");
        using var picture = Cv2.ImRead(image, ImreadModes.Color);
        Assert.That(picture.Empty(), Is.False, $"cannot read {image}");
        using var writer = new VideoWriter(path, FourCC.MJPG, fps, picture.Size());
        Assert.That(writer.IsOpened(), $"OpenCV cannot write MJPG AVI to {path}");
        for (int i = 0; i < frames; i++) writer.Write(picture);
        return path;
    }

    /// <summary>
    /// A frame of a still video as the viewer decodes it during playback. Not the very first: OpenCV's FFmpeg path
    /// returns that one with slightly different rounding (mean difference ≈ 2 levels) than every later frame.
    /// </summary>
    public static Mat PlaybackFrame(string video)
    {
        using var capture = new VideoCapture(video);
        var frame = new Mat();
        for (int i = 0; i < 2; i++) Assert.That(capture.Read(frame) && !frame.Empty(), $"cannot decode frame {i} of {video}");
        return frame;
    }
}
