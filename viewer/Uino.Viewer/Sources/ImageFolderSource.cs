using OpenCvSharp;

namespace Uino.Viewer.Sources;

/// <summary>
/// The images of a folder in name order, shown at a fixed rate. Every image is resized to the first one's size, so
/// the pipeline's buffers keep one size.
/// </summary>
internal sealed class ImageFolderSource : IFrameSource
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"];
    private readonly string[] files;
    private int next;

    public string Description { get; }
    public int Width { get; }
    public int Height { get; }
    public double Fps { get; }
    public bool IsLive => false;

    public ImageFolderSource(string folder, double fps)
    {
        if (!Directory.Exists(folder)) throw new ViewerException($"The folder '{folder}' does not exist.");
        files = Directory.EnumerateFiles(folder)
                         .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                         .Where(f => !f.EndsWith(".mask.png", StringComparison.OrdinalIgnoreCase))   // the samples' ground truth
                         .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ViewerException($"The folder '{folder}' has no images ({string.Join(", ", Extensions)}).");
        using var first = Cv2.ImRead(files[0], ImreadModes.Color);
        if (first.Empty()) throw new ViewerException($"The image '{files[0]}' could not be read.");
        (Width, Height) = (first.Width, first.Height);
        Description = $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}/ ({files.Length} images)";
        Fps = fps;
    }

    public bool Read(Mat into)
    {
        while (next < files.Length)
        {
            using var image = Cv2.ImRead(files[next++], ImreadModes.Color);
            if (image.Empty()) continue;   // an unreadable file in the middle is skipped, not fatal
            if (image.Width == Width && image.Height == Height) image.CopyTo(into);
            else Cv2.Resize(image, into, new Size(Width, Height), interpolation: InterpolationFlags.Area);
            return true;
        }
        return false;
    }

    public bool Rewind()
    {
        next = 0;
        return true;
    }

    public void Dispose() { }
}
