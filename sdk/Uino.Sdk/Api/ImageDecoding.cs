using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;

namespace Uino.Api;

/// <summary>
/// The ImageSharp configuration Uino decodes files with: only the first frame of multi-frame formats (GIF, TIFF),
/// since only it is used and a file of thousands of frames would otherwise be decoded whole, and an allocation cap
/// derived from <see cref="UinoLimits.MaxImagePixels"/>, so that a header that lies about the size cannot make the
/// decoder allocate more than a legitimate image of the largest accepted size would.
/// </summary>
internal static class ImageDecoding
{
    /// <summary>The widest per-pixel buffer ImageSharp decodes through (Vector4 of floats).</summary>
    private const long BytesPerPixelBound = 16;

    private static (long MaxPixels, Configuration Configuration)? cached;

    /// <summary>The configuration for the current <see cref="UinoLimits.MaxImagePixels"/> (rebuilt when it changes).</summary>
    public static Configuration Configuration
    {
        get
        {
            long maxPixels = UinoLimits.MaxImagePixels;
            var current = cached;
            if (current is { } c && c.MaxPixels == maxPixels) return c.Configuration;
            var configuration = Build(maxPixels);
            cached = (maxPixels, configuration);
            return configuration;
        }
    }

    /// <summary>
    /// True for what a decoder throws on a malformed file. ImageSharp is third-party code run on untrusted bytes: besides
    /// its own <see cref="ImageFormatException"/> it throws index, argument, overflow and similar exceptions on
    /// corrupt input, and each of them means only "this file is not a readable image" to the caller (the inner
    /// exception keeps the detail). Running out of memory and cancellation are not the file's fault and pass through.
    /// </summary>
    public static bool IsDecoderFailure(Exception e) =>
        e is not (OutOfMemoryException or OperationCanceledException or ThreadInterruptedException);

    private static Configuration Build(long maxPixels)
    {
        var configuration = Configuration.Default.Clone();
        long megabytes = Math.Max(1, maxPixels * BytesPerPixelBound >> 20);
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = (int)Math.Min(int.MaxValue, megabytes),
        });
        configuration.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Gif.GifFormat.Instance,
            new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Tiff.TiffFormat.Instance,
            new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
