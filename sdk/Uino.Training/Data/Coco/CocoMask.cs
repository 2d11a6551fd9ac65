namespace Uino.Training.Data.Coco;

/// <summary>
/// A COCO run-length encoding: alternating runs of 0s and 1s (starting with 0s) over the pixels in column-major
/// order (index = x·h + y), as pycocotools' maskApi stores masks.
/// </summary>
public sealed record CocoRle(int Height, int Width, uint[] Counts)
{
    /// <summary>Foreground pixel count: the sum of the odd runs.</summary>
    public long Area
    {
        get
        {
            long a = 0;
            for (var j = 1; j < Counts.Length; j += 2) a += Counts[j];
            return a;
        }
    }

    /// <summary>Row-major 0/1 mask (index = y·w + x).</summary>
    public byte[] Decode()
    {
        var mask = new byte[Height * Width];
        OrInto(mask);
        return mask;
    }

    /// <summary>Sets to 1 every pixel of the row-major <paramref name="mask"/> the RLE covers.</summary>
    public void OrInto(byte[] mask)
    {
        long total = (long)Height * Width, p = 0;
        if (mask.Length != total) throw new ArgumentException("mask size does not match the RLE", nameof(mask));
        for (var j = 0; j < Counts.Length; j++)
        {
            long run = Counts[j];
            if (p + run > total) throw new DatasetException($"RLE counts sum past {Height}x{Width}");
            if ((j & 1) == 1)
                for (var i = p; i < p + run; i++)
                {
                    var x = i / Height; var y = i - x * Height;
                    mask[y * Width + x] = 1;
                }
            p += run;
        }
    }
}

/// <summary>
/// pycocotools' mask conversions, reimplemented: polygon rasterisation (<c>rleFrPoly</c>), boxes (<c>rleFrBbox</c>),
/// compressed-string RLE (<c>rleFrString</c>) and union (<c>rleMerge</c>), so masks match <c>COCO.annToMask</c> bit for bit.
/// </summary>
public static class CocoMask
{
    /// <summary>
    /// Rasterises one polygon [x0,y0,x1,y1,…] on an h×w canvas: the boundary is traced densely at 5× resolution,
    /// the x-crossings at pixel centres are kept, and the RLE toggles at each crossing (pycocotools <c>rleFrPoly</c>).
    /// </summary>
    public static CocoRle FromPolygon(ReadOnlySpan<double> xy, int h, int w)
    {
        const double scale = 5;
        var k = xy.Length / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++) x[j] = (int)(scale * xy[j * 2] + .5);
        x[k] = k > 0 ? x[0] : 0;
        for (var j = 0; j < k; j++) y[j] = (int)(scale * xy[j * 2 + 1] + .5);
        y[k] = k > 0 ? y[0] : 0;
        long m = 0;
        for (var j = 0; j < k; j++) m += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
        var u = new int[m];
        var v = new int[m];
        m = 0;
        for (var j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            var s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            if (dx >= dy)
                for (var d = 0; d <= dx; d++)
                {
                    var t = flip ? dx - d : d;
                    u[m] = t + xs; v[m] = (int)(ys + s * t + .5); m++;
                }
            else
                for (var d = 0; d <= dy; d++)
                {
                    var t = flip ? dy - d : d;
                    v[m] = t + ys; u[m] = (int)(xs + s * t + .5); m++;
                }
        }
        // Points on the y-boundary, downsampled to pixel columns.
        var bx = new List<int>();
        var by = new List<int>();
        for (long j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > w - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / scale - .5;
            if (yd < 0) yd = 0; else if (yd > h) yd = h;
            yd = Math.Ceiling(yd);
            bx.Add((int)xd); by.Add((int)yd);
        }
        // RLE from the boundary points.
        var a = new uint[bx.Count + 1];
        for (var j = 0; j < bx.Count; j++) a[j] = (uint)(bx[j] * h + by[j]);
        a[^1] = (uint)(h * w);
        Array.Sort(a);
        uint p = 0;
        for (var j = 0; j < a.Length; j++) { var t = a[j]; a[j] -= p; p = t; }
        var b = new List<uint>(a.Length);
        var i = 0;
        b.Add(a[i++]);
        while (i < a.Length)
        {
            if (a[i] > 0) b.Add(a[i++]);
            else { i++; if (i < a.Length) b[^1] += a[i++]; }
        }
        return new CocoRle(h, w, b.ToArray());
    }

    /// <summary>A box [x, y, width, height] rasterised as its 4-corner polygon (pycocotools <c>rleFrBbox</c>).</summary>
    public static CocoRle FromBox(ReadOnlySpan<double> box, int h, int w)
    {
        double xs = box[0], xe = xs + box[2], ys = box[1], ye = ys + box[3];
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
    }

    /// <summary>
    /// Decodes pycocotools' compressed counts string: LEB128-like, 5 data bits per char (offset 48), bit 0x20 =
    /// more chars follow, bit 0x10 of the last char = negative; from the 4th count on, each value is a delta
    /// against the count two places before.
    /// </summary>
    public static CocoRle FromCompressedString(string s, int h, int w)
    {
        var counts = new List<uint>(s.Length);
        var p = 0;
        while (p < s.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= s.Length) throw new DatasetException("truncated compressed RLE string");
                var c = s[p] - 48;
                if (c is < 0 or > 63) throw new DatasetException($"invalid character '{s[p]}' in compressed RLE string");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++; k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (counts.Count > 2) x += counts[^2];
            counts.Add((uint)x);
        }
        return new CocoRle(h, w, counts.ToArray());
    }

    /// <summary>Union of RLEs of the same size (pycocotools <c>rleMerge</c> with intersect = 0).</summary>
    public static CocoRle Union(IReadOnlyList<CocoRle> rles)
    {
        if (rles.Count == 0) throw new ArgumentException("nothing to merge", nameof(rles));
        var first = rles[0];
        if (rles.Count == 1) return first;
        int h = first.Height, w = first.Width;
        var cnts = first.Counts;
        for (var i = 1; i < rles.Count; i++)
        {
            var bR = rles[i];
            if (bR.Height != h || bR.Width != w)
                throw new DatasetException($"cannot merge a {bR.Height}x{bR.Width} RLE into {h}x{w}");
            var aC = cnts.Length == 0 ? [(uint)(h * w)] : cnts;
            var bC = bR.Counts.Length == 0 ? [(uint)(h * w)] : bR.Counts;
            var merged = new List<uint>(aC.Length + bC.Length);
            uint ca = aC[0], cb = bC[0], cc = 0, ct = 1;
            bool v = false, va = false, vb = false;
            int ia = 1, ib = 1;
            while (ct > 0)
            {
                var c = Math.Min(ca, cb);
                cc += c; ct = 0;
                ca -= c; if (ca == 0 && ia < aC.Length) { ca = aC[ia++]; va = !va; }
                ct += ca;
                cb -= c; if (cb == 0 && ib < bC.Length) { cb = bC[ib++]; vb = !vb; }
                ct += cb;
                var vp = v;
                v = va || vb;
                if (v != vp || ct == 0) { merged.Add(cc); cc = 0; }
            }
            cnts = merged.ToArray();
        }
        return new CocoRle(h, w, cnts);
    }

    /// <summary>
    /// One annotation's mask, as <c>COCO.annToRLE</c>: polygon lists are rasterised and merged (a list whose first
    /// entry has exactly 4 numbers is read as boxes, as <c>frPyObjects</c> does); RLEs are used as they are.
    /// </summary>
    public static CocoRle FromSegmentation(CocoSegmentation seg, int h, int w)
    {
        if (seg.Polygons is { } polys)
        {
            if (polys.Length == 0 || polys[0].Length < 4) return new CocoRle(h, w, [(uint)(h * w)]);
            var asBoxes = polys[0].Length == 4;
            var parts = polys.Select(p => asBoxes ? FromBox(p, h, w) : FromPolygon(p, h, w)).ToArray();
            return Union(parts);
        }
        int rh = seg.Size?[0] ?? h, rw = seg.Size?[1] ?? w;
        if (seg.Counts is { } counts) return new CocoRle(rh, rw, counts);
        if (seg.CountsString is { } str) return FromCompressedString(str, rh, rw);
        return new CocoRle(h, w, [(uint)(h * w)]);
    }
}
