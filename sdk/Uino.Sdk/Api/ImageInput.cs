using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Api;

/// <summary>
/// Reads image files with clear errors and views ImageSharp images as raw bytes (no copy when possible). A file is
/// refused by the size its header declares (<see cref="UinoLimits.MaxImagePixels"/>) before it is decoded, and
/// whatever the decoder throws on a malformed file becomes a <see cref="UinoArgumentException"/> naming the file.
/// </summary>
internal static class ImageInput
{
    /// <summary>Loads <paramref name="path"/> as RGB (alpha dropped, any format ImageSharp reads).</summary>
    public static Image<Rgb24> LoadRgb(string path, string what) => Load<Rgb24>(path, what);

    /// <summary>A mask file's pixel is object when its brightest channel is at least this (grayscale: its value).</summary>
    public const byte MaskFileThreshold = 128;

    /// <summary>The share of grey pixels (neither 0 nor 255) above which a mask file gets a warning.</summary>
    public const double MaskGreyWarningFraction = 0.01;

    /// <summary>
    /// Loads a mask file and binarises it to 0/255: a pixel is object when its brightest channel is at least
    /// <see cref="MaskFileThreshold"/> (128), so JPEG noise and anti-aliased edges do not grow the mask (a
    /// grayscale mask: value ≥ 128; a colour mask: any channel ≥ 128). Masks in memory keep "nonzero = object";
    /// only files are thresholded. When more than <see cref="MaskGreyWarningFraction"/> of the pixels are neither
    /// 0 nor 255 (a lossy or soft mask), <paramref name="warn"/> receives one line saying so.
    /// </summary>
    public static Image<L8> LoadMask(string path, string what, Action<string>? warn = null)
    {
        using var rgb = Load<Rgb24>(path, what);
        var mask = new Image<L8>(ImageDecoding.Configuration, rgb.Width, rgb.Height);
        long grey = 0;
        rgb.ProcessPixelRows(mask, (source, target) =>
        {
            for (int y = 0; y < source.Height; y++)
            {
                var src = source.GetRowSpan(y);
                var dst = target.GetRowSpan(y);
                for (int x = 0; x < src.Length; x++)
                {
                    var p = src[x];
                    byte v = Math.Max(p.R, Math.Max(p.G, p.B));
                    if (v is not (0 or 255)) grey++;
                    dst[x] = new L8(v >= MaskFileThreshold ? (byte)255 : (byte)0);
                }
            }
        });
        double fraction = grey / ((double)rgb.Width * rgb.Height);
        if (warn is not null && fraction > MaskGreyWarningFraction)
            warn(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{what} '{path}' is not binary ({fraction * 100:F1}% grey pixels): thresholded at {MaskFileThreshold}; save masks as PNG with 0/255"));
        return mask;
    }

    private static Image<T> Load<T>(string path, string what) where T : unmanaged, IPixel<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path)) throw new UinoArgumentException($"The {what} path is empty.");
        if (Directory.Exists(path)) throw new UinoArgumentException($"The {what} '{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new UinoNotFoundException($"The {what} '{path}' does not exist.", path);
        try
        {
            // One open file for both steps: the header that was checked is the one that is decoded.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var info = Image.Identify(ImageDecoding.Configuration, stream)
                       ?? throw new UinoArgumentException($"The {what} '{path}' is not a readable image: its format is not one ImageSharp reads.");
            CheckDeclaredSize(info.Width, info.Height, path, what);
            stream.Position = 0;
            if (InterlacedPngCheck.Problem(stream) is { } problem)
                throw new UinoArgumentException($"The {what} '{path}' is not a readable image: {problem}.");
            stream.Position = 0;
            return Image.Load<T>(ImageDecoding.Configuration, stream);
        }
        catch (UinoException) { throw; }
        catch (Exception e) when (e is IOException and not EndOfStreamException or UnauthorizedAccessException)
        {
            throw new UinoArgumentException($"The {what} '{path}' cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (ImageDecoding.IsDecoderFailure(e))
        {
            throw new UinoArgumentException($"The {what} '{path}' is not a readable image: {e.Message} ({e.GetType().Name})", e);
        }
    }

    private static void CheckDeclaredSize(int width, int height, string path, string what)
    {
        if (width <= 0 || height <= 0)
            throw new UinoArgumentException($"The {what} '{path}' declares {width}×{height} pixels; width and height must be positive.");
        long pixels = (long)width * height, limit = UinoLimits.MaxImagePixels;
        if (pixels > limit)
            throw new UinoArgumentException($"The {what} '{path}' declares {width}×{height} = {pixels} pixels, more than UinoLimits.MaxImagePixels ({limit}); it was not decoded.");
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
