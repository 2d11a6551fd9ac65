using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Imaging;

/// <summary>Draws a mask onto a picture: a translucent tint over the object and an opaque outline around it.</summary>
public static class Overlay
{
    /// <summary>
    /// Returns a copy of <paramref name="image"/> with <paramref name="mask"/> (row-major, width×height, nonzero =
    /// object) tinted by <paramref name="tint"/> at <paramref name="opacity"/> and outlined in the same colour.
    /// </summary>
    public static Image<Rgb24> Compose(Image<Rgb24> image, ReadOnlySpan<byte> mask, Rgb24 tint, float opacity = 0.45f)
    {
        int w = image.Width, h = image.Height;
        if (mask.Length != w * h)
            throw new ArgumentException($"The mask has {mask.Length} values; the image is {w}×{h} ({w * h}).", nameof(mask));
        if (opacity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(opacity), "Opacity must be in [0, 1].");
        var result = image.Clone();
        var m = mask.ToArray();
        result.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    if (m[y * w + x] == 0) continue;
                    bool edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 ||
                                m[y * w + x - 1] == 0 || m[y * w + x + 1] == 0 || m[(y - 1) * w + x] == 0 || m[(y + 1) * w + x] == 0;
                    ref var p = ref row[x];
                    float a = edge ? 1f : opacity;
                    p = new Rgb24(Blend(p.R, tint.R, a), Blend(p.G, tint.G, a), Blend(p.B, tint.B, a));
                }
            }
        });
        return result;
    }

    private static byte Blend(byte under, byte over, float a) => (byte)Math.Clamp(MathF.Round(under + (over - under) * a), 0, 255);
}
