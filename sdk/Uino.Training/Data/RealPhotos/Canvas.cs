namespace Uino.Training.Data.RealPhotos;

/// <summary>What a pasted layer is to the episode: the object to segment, or something labelled background.</summary>
internal enum LayerRole
{
    Target,
    Distractor,
    Occluder,
}

/// <summary>
/// A pasted layer: its role, where its pixels came from ("set:stem"), its class (−1 for a patch of an unlabelled
/// photo), and <see cref="Visible"/>, canvas-sized, 1 where its alpha ≥ 0.5 and no later layer covers it.
/// </summary>
internal sealed record PlacedLayer(LayerRole Role, string Source, int ClassId, byte[] Visible);

/// <summary>
/// A composite in progress: a background picture and its label (0 background, 1 target, 255 ignore), onto which
/// cut-outs are pasted with rotation, flip and a feathered alpha. The label follows the binarised (≥ 0.5) alpha of
/// what stays visible: the target's pixels become 1 (its uncertain band and held-out pixels 255), any other layer's
/// 0 (its held-out pixels 255), so an occluder removes target label where it covers it.
/// </summary>
internal sealed class Canvas
{
    private readonly byte[] _rgb;
    private readonly List<PlacedLayer> _layers = [];

    public int Width { get; }
    public int Height { get; }
    public byte[] Label { get; }
    public IReadOnlyList<PlacedLayer> Layers => _layers;

    public Canvas(Raster background)
    {
        Width = background.Width; Height = background.Height;
        _rgb = (byte[])background.Rgb.Clone();
        Label = new byte[Width * Height];
        if (background.HeldOut is { } h)
            for (int i = 0; i < h.Length; i++) if (h[i] != 0) Label[i] = LabelMask.Ignore;
    }

    public int Count(byte label)
    {
        int n = 0;
        foreach (var v in Label) if (v == label) n++;
        return n;
    }

    /// <summary>
    /// The layer <paramref name="cut"/> (picture + alpha, at its final scale) rotated by <paramref name="degrees"/>
    /// about its centre, mirrored when <paramref name="flip"/>, centred at (<paramref name="cx"/>, <paramref name="cy"/>),
    /// sampled bilinearly; its alpha is softened by <paramref name="feather"/> passes of a 3×3 box (1–2 px) so no hard
    /// seam is left. Returns the layer's coverage (canvas-sized, alpha ≥ 0.5) without drawing it.
    /// </summary>
    public Warped Warp(Raster cut, double degrees, bool flip, double cx, double cy, int feather)
    {
        var alphaSrc = cut.Alpha ?? throw new ArgumentException("a pasted layer needs an alpha", nameof(cut));
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double hx = (Math.Abs(cos) * cut.Width + Math.Abs(sin) * cut.Height) / 2 + feather + 1;
        double hy = (Math.Abs(sin) * cut.Width + Math.Abs(cos) * cut.Height) / 2 + feather + 1;
        int x0 = Math.Max(0, (int)Math.Floor(cx - hx)), x1 = Math.Min(Width, (int)Math.Ceiling(cx + hx));
        int y0 = Math.Max(0, (int)Math.Floor(cy - hy)), y1 = Math.Min(Height, (int)Math.Ceiling(cy + hy));
        int bw = Math.Max(0, x1 - x0), bh = Math.Max(0, y1 - y0);
        var alpha = new float[bw * bh];
        var rgb = new float[bw * bh * 3];
        var marks = new byte[bw * bh]; // bit 0 uncertain, bit 1 held out
        int cw = cut.Width, ch = cut.Height;
        for (int j = 0; j < bh; j++)
            for (int i = 0; i < bw; i++)
            {
                double dx = x0 + i + 0.5 - cx, dy = y0 + j + 0.5 - cy;
                double u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
                if (flip) u = -u;
                double sx = u + cw / 2.0 - 0.5, sy = v + ch / 2.0 - 0.5;
                if (sx < -1 || sy < -1 || sx > cw || sy > ch) continue;
                int ix = (int)Math.Floor(sx), iy = (int)Math.Floor(sy);
                float fx = (float)(sx - ix), fy = (float)(sy - iy);
                float al = 0, r = 0, g = 0, b = 0;
                for (int k = 0; k < 4; k++)
                {
                    int px = ix + (k & 1), py = iy + (k >> 1);
                    float wgt = ((k & 1) == 1 ? fx : 1 - fx) * ((k >> 1) == 1 ? fy : 1 - fy);
                    int qx = Math.Clamp(px, 0, cw - 1), qy = Math.Clamp(py, 0, ch - 1);
                    int q = qy * cw + qx;
                    if (px == qx && py == qy) al += wgt * alphaSrc[q];
                    r += wgt * cut.Rgb[q * 3]; g += wgt * cut.Rgb[q * 3 + 1]; b += wgt * cut.Rgb[q * 3 + 2];
                }
                int l = j * bw + i;
                alpha[l] = al / 255f;
                rgb[l * 3] = r; rgb[l * 3 + 1] = g; rgb[l * 3 + 2] = b;
                int nx = Math.Clamp((int)Math.Round(sx), 0, cw - 1), ny = Math.Clamp((int)Math.Round(sy), 0, ch - 1);
                int n = ny * cw + nx;
                if (cut.Uncertain is { } un && un[n] != 0) marks[l] |= 1;
                if (cut.HeldOut is { } ho && ho[n] != 0) marks[l] |= 2;
            }
        for (int p = 0; p < feather; p++) alpha = BoxBlur(alpha, bw, bh);
        var coverage = new byte[Width * Height];
        for (int j = 0; j < bh; j++)
            for (int i = 0; i < bw; i++)
                if (alpha[j * bw + i] >= 0.5f) coverage[(y0 + j) * Width + x0 + i] = 1;
        return new Warped(x0, y0, bw, bh, alpha, rgb, marks, coverage);
    }

    /// <summary>Pixels of <paramref name="coverage"/> where the label is currently <paramref name="label"/>.</summary>
    public int Overlap(byte[] coverage, byte label)
    {
        int n = 0;
        for (int i = 0; i < coverage.Length; i++) if (coverage[i] != 0 && Label[i] == label) n++;
        return n;
    }

    /// <summary>Draws a warped layer over the canvas and updates the label and the visibility of earlier layers.</summary>
    public void Draw(Warped w, LayerRole role, string source, int classId)
    {
        for (int j = 0; j < w.H; j++)
            for (int i = 0; i < w.W; i++)
            {
                int l = j * w.W + i;
                float al = w.Alpha[l];
                if (al <= 0) continue;
                int c = (w.Y + j) * Width + w.X + i;
                for (int k = 0; k < 3; k++)
                {
                    float v = al * w.Rgb[l * 3 + k] + (1 - al) * _rgb[c * 3 + k];
                    _rgb[c * 3 + k] = (byte)Math.Clamp(v + 0.5f, 0f, 255f);
                }
                if (al < 0.5f) continue;
                byte m = w.Marks[l];
                Label[c] = (m & 2) != 0 ? LabelMask.Ignore
                    : role == LayerRole.Target ? ((m & 1) != 0 ? LabelMask.Ignore : (byte)1)
                    : (byte)0;
                foreach (var earlier in _layers) earlier.Visible[c] = 0;
            }
        _layers.Add(new PlacedLayer(role, source, classId, (byte[])w.Coverage.Clone()));
    }

    public LabelledImage ToLabelled(string name) =>
        new(new Raster(Width, Height, _rgb).ToImage(), new LabelMask(Width, Height, (byte[])Label.Clone()), name);

    private static float[] BoxBlur(float[] a, int w, int h)
    {
        var tmp = new float[a.Length];
        var dst = new float[a.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = a[y * w + x]; int n = 1;
                if (x > 0) { s += a[y * w + x - 1]; n++; }
                if (x < w - 1) { s += a[y * w + x + 1]; n++; }
                tmp[y * w + x] = s / n;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = tmp[y * w + x]; int n = 1;
                if (y > 0) { s += tmp[(y - 1) * w + x]; n++; }
                if (y < h - 1) { s += tmp[(y + 1) * w + x]; n++; }
                dst[y * w + x] = s / n;
            }
        return dst;
    }
}

/// <summary>A layer warped into canvas space: its window, alpha, colours, marks and canvas-sized coverage.</summary>
internal sealed record Warped(int X, int Y, int W, int H, float[] Alpha, float[] Rgb, byte[] Marks, byte[] Coverage);
