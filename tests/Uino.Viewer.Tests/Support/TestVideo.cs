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

    /// <summary>The first frame of <paramref name="video"/> as decoded (what the viewer shows and segments).</summary>
    public static Mat FirstFrame(string video)
    {
        using var capture = new VideoCapture(video);
        var frame = new Mat();
        Assert.That(capture.Read(frame) && !frame.Empty(), $"cannot decode {video}");
        return frame;
    }
}
