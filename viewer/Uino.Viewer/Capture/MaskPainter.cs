namespace Uino.Viewer.Capture;

/// <summary>
/// Rasterises the capture tools into a one-byte-per-pixel mask, exactly: a brush stroke sets every pixel whose
/// centre lies within the radius of the stroke's segment (a capsule), a box every pixel whose centre is inside it.
/// </summary>
internal static class MaskPainter
{
    public static void Capsule(Span<byte> mask, int width, int height, double ax, double ay, double bx, double by, double radius, byte value)
    {
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(ax, bx) - radius)), x1 = Math.Min(width - 1, (int)Math.Ceiling(Math.Max(ax, bx) + radius));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(ay, by) - radius)), y1 = Math.Min(height - 1, (int)Math.Ceiling(Math.Max(ay, by) + radius));
        double dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy, r2 = radius * radius;
        for (int y = y0; y <= y1; y++)
        {
            var row = mask.Slice(y * width, width);
            for (int x = x0; x <= x1; x++)
            {
                double t = length2 == 0 ? 0 : Math.Clamp(((x - ax) * dx + (y - ay) * dy) / length2, 0, 1);
                double ex = x - (ax + t * dx), ey = y - (ay + t * dy);
                if (ex * ex + ey * ey <= r2) row[x] = value;
            }
        }
    }

    public static void Box(Span<byte> mask, int width, int height, double ax, double ay, double bx, double by, byte value)
    {
        int x0 = Math.Max(0, (int)Math.Ceiling(Math.Min(ax, bx))), x1 = Math.Min(width - 1, (int)Math.Floor(Math.Max(ax, bx)));
        int y0 = Math.Max(0, (int)Math.Ceiling(Math.Min(ay, by))), y1 = Math.Min(height - 1, (int)Math.Floor(Math.Max(ay, by)));
        for (int y = y0; y <= y1; y++)
            if (x1 >= x0) mask.Slice(y * width + x0, x1 - x0 + 1).Fill(value);
    }
}
