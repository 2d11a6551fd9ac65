namespace Uino;

/// <summary>Layouts of raw 8-bit pixel buffers accepted by the session API (values match the C ABI).</summary>
public enum PixelFormat
{
    /// <summary>3 bytes per pixel: red, green, blue.</summary>
    Rgb8 = 0,
    /// <summary>3 bytes per pixel: blue, green, red (OpenCV's default).</summary>
    Bgr8 = 1,
    /// <summary>4 bytes per pixel: red, green, blue, alpha (alpha ignored).</summary>
    Rgba8 = 2,
    /// <summary>4 bytes per pixel: blue, green, red, alpha (alpha ignored).</summary>
    Bgra8 = 3,
    /// <summary>1 byte per pixel: luminance, replicated to three channels.</summary>
    Gray8 = 4,
}
