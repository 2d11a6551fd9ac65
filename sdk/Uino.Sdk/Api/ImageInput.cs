using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Api;

/// <summary>Reads image files with clear errors and views ImageSharp images as raw bytes (no copy when possible).</summary>
internal static class ImageInput
{
    /// <summary>Loads <paramref name="path"/> as RGB (alpha dropped, any format ImageSharp reads).</summary>
    public static Image<Rgb24> LoadRgb(string path, string what) => Load<Rgb24>(path, what);

    /// <summary>Loads a mask file as 8-bit luminance (nonzero = object; a colour mask's colours become nonzero).</summary>
    public static Image<L8> LoadMask(string path, string what) => Load<L8>(path, what);

    private static Image<T> Load<T>(string path, string what) where T : unmanaged, IPixel<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path)) throw new UinoArgumentException($"The {what} path is empty.");
        if (Directory.Exists(path)) throw new UinoArgumentException($"The {what} '{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new UinoNotFoundException($"The {what} '{path}' does not exist.", path);
        try
        {
            return Image.Load<T>(path);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException)
        {
            throw new UinoArgumentException($"The {what} '{path}' is not a readable image: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UinoArgumentException($"The {what} '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The pixel bytes of <paramref name="image"/>, tightly packed rows: a view of the image's own memory when it
    /// is one block (the usual case), else a copy.
    /// </summary>
    public static ReadOnlySpan<byte> Bytes<T>(Image<T> image) where T : unmanaged, IPixel<T>
    {
        if (image.DangerousTryGetSinglePixelMemory(out Memory<T> memory))
            return MemoryMarshal.AsBytes(memory.Span);
        var copy = new byte[(long)image.Width * image.Height * Marshal.SizeOf<T>()];
        image.CopyPixelDataTo(copy);
        return copy;
    }

    /// <summary>Wraps an RGB image as a <see cref="PixelBuffer"/>.</summary>
    public static PixelBuffer View(Image<Rgb24> image) => new(Bytes(image), image.Width, image.Height, image.Width * 3, PixelFormat.Rgb8);
}
