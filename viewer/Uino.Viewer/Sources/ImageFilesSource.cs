using OpenCvSharp;

namespace Uino.Viewer.Sources;

/// <summary>
/// A single image or the images of a folder in name order, shown at a fixed rate. Every image is resized to the
/// first one's size, so the pipeline's buffers keep one size.
/// </summary>
internal sealed class ImageFilesSource : IFrameSource
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"];

    /// <summary>True for the file names this source reads (anything else is handed to the video decoder).</summary>
    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
    private readonly string[] files;
    private int next;

    public string Description { get; }
    public int Width { get; }
    public int Height { get; }
    public double Fps { get; }
    public bool IsLive => false;

    private ImageFilesSource(string[] files, string description, double fps)
    {
        this.files = files;
        using var first = Cv2.ImRead(files[0], ImreadModes.Color);
        if (first.Empty()) throw new ViewerException($"The image '{files[0]}' could not be read.");
        (Width, Height) = (first.Width, first.Height);
        Description = description;
        Fps = fps;
    }

    public static ImageFilesSource FromFolder(string folder, double fps)
    {
        var files = Directory.EnumerateFiles(folder)
                             .Where(IsImageFile)
                             .Where(f => !f.EndsWith(".mask.png", StringComparison.OrdinalIgnoreCase))   // the samples' ground truth
                             .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ViewerException($"The folder '{folder}' has no images ({string.Join(", ", Extensions)}).");
        return new ImageFilesSource(files, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}/ ({files.Length} images)", fps);
    }

    public static ImageFilesSource FromFile(string file, double fps)
    {
        if (!File.Exists(file)) throw new ViewerException($"The image '{file}' does not exist.");
        return new ImageFilesSource([file], Path.GetFileName(file), fps);
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

    public bool Reopen() => false;

    public bool Rewind()
    {
        next = 0;
        return true;
    }

    public void Dispose() { }
}
