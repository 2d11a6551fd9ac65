using OpenCvSharp;

namespace Uino.Viewer.Sources;

/// <summary>Where frames come from: a camera, a video file or a folder of images. Used by one thread at a time.</summary>
internal interface IFrameSource : IDisposable
{
    /// <summary>What the HUD and messages call it ("camera 0", "clip.avi").</summary>
    string Description { get; }
    int Width { get; }
    int Height { get; }
    /// <summary>Frames per second the source is meant to be shown at.</summary>
    double Fps { get; }
    /// <summary>A camera delivers frames at its own rate; files are paced by the reader.</summary>
    bool IsLive { get; }
    /// <summary>Decodes the next frame into <paramref name="into"/> (BGR, Width×Height). False at the end.</summary>
    bool Read(Mat into);
    /// <summary>Goes back to the first frame (files and folders; cameras return false).</summary>
    bool Rewind();
    /// <summary>
    /// Opens a live source again after it stopped delivering (a camera unplugged and plugged back, a driver reset):
    /// true once it delivers frames of the same size again. Files and folders return false.
    /// </summary>
    bool Reopen();
}
