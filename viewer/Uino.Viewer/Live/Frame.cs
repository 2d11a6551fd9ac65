using OpenCvSharp;

namespace Uino.Viewer.Live;

/// <summary>
/// One captured picture: a BGR <see cref="Mat"/> that the source decodes into (OpenCV reuses its memory while the
/// size stays the same), shared by the display and the inference thread.
/// </summary>
internal sealed class Frame : PooledItem
{
    public Mat Image { get; } = new();
}
