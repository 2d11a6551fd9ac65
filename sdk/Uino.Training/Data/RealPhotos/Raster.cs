using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// An RGB picture and the per-pixel maps that travel with it, all W×H row-major: <see cref="Alpha"/> the object
/// (0..255), <see cref="Uncertain"/> the object's uncertain outline band (1 = labelled ignore when the object is
/// the target), <see cref="HeldOut"/> pixels of held-out classes (1 = labelled ignore wherever they stay visible).
/// Maps are null when absent. Geometry operations keep the maps aligned with the picture.
/// </summary>
internal sealed record Raster(int Width, int Height, byte[] Rgb, byte[]? Alpha = null, byte[]? Uncertain = null, byte[]? HeldOut = null)
{
    public int Area => Width * Height;

    public static Raster FromImage(Image<Rgb24> image)
    {
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return new Raster(image.Width, image.Height, rgb);
    }

    public Image<Rgb24> ToImage() => Image.LoadPixelData<Rgb24>(Rgb, Width, Height);

    /// <summary>The window [x, x + w) × [y, y + h), which must lie inside.</summary>
    public Raster Crop(int x, int y, int w, int h)
    {
        byte[]? Map(byte[]? m)
        {
            if (m is null) return null;
            var r = new byte[w * h];
            for (int j = 0; j < h; j++) Array.Copy(m, (y + j) * Width + x, r, j * w, w);
            return r;
        }
        var rgb = new byte[w * h * 3];
        for (int j = 0; j < h; j++) Array.Copy(Rgb, ((y + j) * Width + x) * 3, rgb, j * w * 3, w * 3);
        return new Raster(w, h, rgb, Map(Alpha), Map(Uncertain), Map(HeldOut));
    }

    /// <summary>
    /// Resized to w×h: the picture with ImageSharp's bicubic (antialiased when shrinking), the alpha bilinearly,
    /// the 0/1 maps by nearest neighbour.
    /// </summary>
    public Raster Resize(int w, int h)
    {
        if (w == Width && h == Height) return this;
        byte[] rgb;
        using (var img = ToImage())
        {
            img.Mutate(c => c.Resize(w, h, KnownResamplers.Bicubic));
            rgb = new byte[w * h * 3];
            img.CopyPixelDataTo(rgb);
        }
        byte[]? alpha = null;
        if (Alpha is not null)
        {
            using var a = Image.LoadPixelData<L8>(Alpha, Width, Height);
            a.Mutate(c => c.Resize(w, h, KnownResamplers.Triangle));
            alpha = new byte[w * h];
            a.CopyPixelDataTo(alpha);
        }
        return new Raster(w, h, rgb, alpha, Nearest(Uncertain, w, h), Nearest(HeldOut, w, h));
    }

    private byte[]? Nearest(byte[]? m, int w, int h)
    {
        if (m is null) return null;
        var r = new byte[w * h];
        for (int j = 0; j < h; j++)
        {
            int sy = Math.Min(Height - 1, (int)((j + 0.5) * Height / h));
            for (int i = 0; i < w; i++) r[j * w + i] = m[sy * Width + Math.Min(Width - 1, (int)((i + 0.5) * Width / w))];
        }
        return r;
    }

    /// <summary>Mirrored left–right.</summary>
    public Raster FlipHorizontal()
    {
        byte[]? Map(byte[]? m)
        {
            if (m is null) return null;
            var r = new byte[m.Length];
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++) r[y * Width + x] = m[y * Width + Width - 1 - x];
            return r;
        }
        var rgb = new byte[Rgb.Length];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int d = (y * Width + x) * 3, s = (y * Width + Width - 1 - x) * 3;
                rgb[d] = Rgb[s]; rgb[d + 1] = Rgb[s + 1]; rgb[d + 2] = Rgb[s + 2];
            }
        return new Raster(Width, Height, rgb, Map(Alpha), Map(Uncertain), Map(HeldOut));
    }

    /// <summary>The bounding box of alpha ≥ 128, or null when there is none.</summary>
    public (int X, int Y, int W, int H)? AlphaBounds()
    {
        if (Alpha is null) return null;
        int x0 = Width, y0 = Height, x1 = -1, y1 = -1;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (Alpha[y * Width + x] >= 128)
                {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
        return x1 < 0 ? null : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>Pixels with alpha ≥ 128.</summary>
    public int AlphaCount()
    {
        if (Alpha is null) return 0;
        int n = 0;
        foreach (var a in Alpha) if (a >= 128) n++;
        return n;
    }
}
