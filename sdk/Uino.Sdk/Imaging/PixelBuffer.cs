namespace Uino;

/// <summary>
/// A read-only view of raw pixels in caller memory: <paramref name="Width"/>×<paramref name="Height"/> pixels of
/// <paramref name="Format"/>, rows <paramref name="StrideBytes"/> apart (≥ one row's bytes; padding allowed).
/// Camera buffers need no copy through an image type.
/// </summary>
public readonly ref struct PixelBuffer(ReadOnlySpan<byte> pixels, int Width, int Height, int StrideBytes, PixelFormat Format)
{
    /// <summary>The bytes; at least (Height−1)·StrideBytes + Width·BytesPerPixel of them.</summary>
    public ReadOnlySpan<byte> Pixels { get; } = pixels;
    /// <summary>Pixels per row.</summary>
    public int Width { get; } = Width;
    /// <summary>Rows.</summary>
    public int Height { get; } = Height;
    /// <summary>Bytes from the start of one row to the start of the next.</summary>
    public int StrideBytes { get; } = StrideBytes;
    /// <summary>The pixel layout.</summary>
    public PixelFormat Format { get; } = Format;

    /// <summary>Bytes per pixel of <paramref name="format"/>.</summary>
    public static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Rgb8 or PixelFormat.Bgr8 => 3,
        PixelFormat.Rgba8 or PixelFormat.Bgra8 => 4,
        PixelFormat.Gray8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Unknown pixel format {(int)format}; expected 0..4 (Rgb8, Bgr8, Rgba8, Bgra8, Gray8)."),
    };

    /// <summary>Throws an <see cref="ArgumentException"/> that names what is wrong with the buffer.</summary>
    public void Validate(string what = "image")
    {
        int bpp = BytesPerPixel(Format);
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"The {what} is {Width}×{Height}; width and height must be positive.");
        long pixels = (long)Width * Height, limit = UinoLimits.MaxImagePixels;
        if (pixels > limit)
            throw new ArgumentException($"The {what} is {Width}×{Height} = {pixels} pixels, more than UinoLimits.MaxImagePixels ({limit}).");
        long row = (long)Width * bpp;
        if (StrideBytes < row)
            throw new ArgumentException($"The {what}'s stride {StrideBytes} bytes is smaller than one row of {Width} {Format} pixels ({row} bytes).");
        long needed = (long)(Height - 1) * StrideBytes + row;
        if (Pixels.Length < needed)
            throw new ArgumentException($"The {what} buffer has {Pixels.Length} bytes; {Width}×{Height} {Format} with stride {StrideBytes} needs {needed}.");
    }
}
