namespace Uino.Training.Data.RealPhotos;

/// <summary>Pieces shared by the two episode kinds: labels of a photo as it is, and the mask checks.</summary>
internal static class EpisodeImages
{
    /// <summary>Fewest target pixels a picture may have: 0.5 % of it, at least 64.</summary>
    public static int MinTargetPixels(int area) => Math.Max(64, area / 200);

    /// <summary>A label is usable when its target is non-empty (≥ <see cref="MinTargetPixels"/>) and not the whole picture (&lt; 98 %).</summary>
    public static bool Usable(LabelMask mask)
    {
        int n = 0;
        foreach (var v in mask.Values) if (v == 1) n++;
        return n >= MinTargetPixels(mask.Values.Length) && n < 0.98 * mask.Values.Length;
    }

    /// <summary>
    /// A photo as it is, labelled by its alpha (≥ 128 → 1), with the uncertain band and held-out pixels 255; shrunk
    /// to <paramref name="maxSide"/> when larger.
    /// </summary>
    public static LabelledImage AsIs(Raster r, int maxSide, string name)
    {
        int side = Math.Max(r.Width, r.Height);
        if (side > maxSide)
        {
            double s = maxSide / (double)side;
            r = r.Resize(Math.Max(1, (int)Math.Round(r.Width * s)), Math.Max(1, (int)Math.Round(r.Height * s)));
        }
        var label = new byte[r.Area];
        for (int i = 0; i < label.Length; i++)
        {
            bool held = r.HeldOut is { } h && h[i] != 0;
            bool fg = r.Alpha is { } a && a[i] >= 128;
            label[i] = held ? LabelMask.Ignore : fg ? (r.Uncertain is { } u && u[i] != 0 ? LabelMask.Ignore : (byte)1) : (byte)0;
        }
        return new LabelledImage(r.ToImage(), new LabelMask(r.Width, r.Height, label), name);
    }
}
