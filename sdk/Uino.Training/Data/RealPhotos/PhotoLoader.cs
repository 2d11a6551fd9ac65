using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// Decodes a <see cref="RealPhoto"/> from disk into a <see cref="Raster"/> on every call (no cache: the files are
/// small JPEG/PNGs the OS keeps in its page cache, and decoding is a few milliseconds). Stateless, thread-safe.
/// </summary>
internal static class PhotoLoader
{
    /// <summary>
    /// The photo with the maps an episode needs: <paramref name="target"/> selects the alpha (the object mask, or
    /// the garment class <c>labelmap == id − 100</c> for a garment class id; null: no alpha); the uncertain band
    /// (pets' trimap band) when there is one; <paramref name="heldOutGarments"/> (CCP label ids) become the
    /// <see cref="Raster.HeldOut"/> map of a clothing photo.
    /// </summary>
    public static Raster Load(RealPhoto photo, int? target, IReadOnlyCollection<int> heldOutGarments)
    {
        Raster raster;
        using (var image = Decode<Rgb24>(photo.ImagePath)) raster = Raster.FromImage(image);
        int w = raster.Width, h = raster.Height;
        byte[]? alpha = null, uncertain = null, heldOut = null;
        byte[]? labelmap = photo.LabelmapPath is not null && (heldOutGarments.Count > 0 || target >= RealPhotoClasses.GarmentBase)
            ? Map(photo.LabelmapPath, w, h) : null;
        if (target is int t)
        {
            if (t >= RealPhotoClasses.GarmentBase)
            {
                if (labelmap is null) throw new DatasetException($"real: garment class {t} asked of '{photo.ImagePath}', which has no label map");
                byte id = (byte)(t - RealPhotoClasses.GarmentBase);
                alpha = new byte[w * h];
                for (int i = 0; i < alpha.Length; i++) alpha[i] = labelmap[i] == id ? (byte)255 : (byte)0;
            }
            else if (photo.MaskPath is not null)
            {
                alpha = Map(photo.MaskPath, w, h);
                for (int i = 0; i < alpha.Length; i++) alpha[i] = alpha[i] >= 128 ? (byte)255 : (byte)0;
            }
            if (photo.BoundaryPath is not null)
            {
                uncertain = Map(photo.BoundaryPath, w, h);
                for (int i = 0; i < uncertain.Length; i++) uncertain[i] = uncertain[i] >= 128 ? (byte)1 : (byte)0;
            }
        }
        if (labelmap is not null && heldOutGarments.Count > 0)
        {
            var lut = new bool[256];
            foreach (int g in heldOutGarments) if (g is >= 0 and < 256) lut[g] = true;
            heldOut = new byte[w * h];
            bool any = false;
            for (int i = 0; i < heldOut.Length; i++)
                if (lut[labelmap[i]]) { heldOut[i] = 1; any = true; }
            if (!any) heldOut = null;
        }
        return raster with { Alpha = alpha, Uncertain = uncertain, HeldOut = heldOut };
    }

    private static byte[] Map(string path, int w, int h)
    {
        using var m = Decode<L8>(path);
        if (m.Width != w || m.Height != h)
            throw new DatasetException($"real: '{path}' is {m.Width}x{m.Height}, its image is {w}x{h}");
        var px = new byte[w * h];
        m.CopyPixelDataTo(px);
        return px;
    }

    private static Image<T> Decode<T>(string path) where T : unmanaged, IPixel<T>
    {
        try { return Image.Load<T>(path); }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or IOException)
        { throw new DatasetException($"real: cannot decode '{path}': {e.Message}", e); }
    }
}
