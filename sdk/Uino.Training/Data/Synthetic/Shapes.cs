namespace Uino.Training.Data.Synthetic;

/// <summary>The outline families objects are drawn with.</summary>
public enum ShapeKind
{
    Ellipse,
    RoundedPolygon,
    Blob,
}

/// <summary>A closed polygon in image pixel coordinates (outlines of ellipses, rounded polygons and blobs).</summary>
internal sealed class Polygon(float[] x, float[] y)
{
    public float[] X { get; } = x;
    public float[] Y { get; } = y;
    public int Count => X.Length;

    /// <summary>
    /// Writes <paramref name="id"/> into every pixel of <paramref name="owner"/> whose centre lies inside the polygon
    /// (even-odd rule), clipped to the image; returns how many pixels it wrote.
    /// </summary>
    public int Fill(byte[] owner, int width, int height, byte id)
    {
        float minY = float.MaxValue, maxY = float.MinValue;
        for (int i = 0; i < Count; i++)
        {
            minY = MathF.Min(minY, Y[i]);
            maxY = MathF.Max(maxY, Y[i]);
        }
        int y0 = Math.Max(0, (int)MathF.Floor(minY)), y1 = Math.Min(height - 1, (int)MathF.Ceiling(maxY));
        Span<float> xs = Count <= 256 ? stackalloc float[Count] : new float[Count];
        int filled = 0;
        for (int y = y0; y <= y1; y++)
        {
            float yc = y + 0.5f;
            int n = 0;
            for (int i = 0, j = Count - 1; i < Count; j = i++)
            {
                float yi = Y[i], yj = Y[j];
                if ((yi <= yc) != (yj <= yc))
                    xs[n++] = X[i] + (yc - yi) * (X[j] - X[i]) / (yj - yi);
            }
            var crossings = xs[..n];
            crossings.Sort();
            var row = owner.AsSpan(y * width, width);
            for (int k = 0; k + 1 < n; k += 2)
            {
                // Pixel x is inside when its centre x + 0.5 lies in [left, right).
                int a = Math.Max(0, (int)MathF.Ceiling(crossings[k] - 0.5f));
                int b = Math.Min(width, (int)MathF.Ceiling(crossings[k + 1] - 0.5f));
                if (b > a)
                {
                    row[a..b].Fill(id);
                    filled += b - a;
                }
            }
        }
        return filled;
    }

    /// <summary>A random outline of the given kind, centred at (cx, cy), reaching at most <paramref name="radius"/>.</summary>
    public static Polygon Create(ShapeKind kind, ref SceneRandom rng, float cx, float cy, float radius)
    {
        float rotation = rng.Range(0f, 2 * MathF.PI), cos = MathF.Cos(rotation), sin = MathF.Sin(rotation);
        float[] x, y;
        switch (kind)
        {
            case ShapeKind.Ellipse:
            {
                const int n = 40;
                float ry = radius * rng.Range(0.55f, 1f);
                x = new float[n];
                y = new float[n];
                for (int i = 0; i < n; i++)
                {
                    float t = i * (2 * MathF.PI / n);
                    x[i] = radius * MathF.Cos(t);
                    y[i] = ry * MathF.Sin(t);
                }
                break;
            }
            case ShapeKind.RoundedPolygon:
            {
                int corners = rng.Between(3, 7);
                var px = new float[corners];
                var py = new float[corners];
                for (int i = 0; i < corners; i++)
                {
                    float t = (i + rng.Range(-0.25f, 0.25f)) * (2 * MathF.PI / corners);
                    float r = radius * rng.Range(0.8f, 1f);
                    px[i] = r * MathF.Cos(t);
                    py[i] = r * MathF.Sin(t);
                }
                (x, y) = Chaikin(Chaikin((px, py)));
                break;
            }
            default:
            {
                const int n = 48;
                Span<float> amp = stackalloc float[3];
                Span<float> phase = stackalloc float[3];
                float total = 1f;
                for (int k = 0; k < 3; k++)
                {
                    amp[k] = rng.Range(0f, 0.16f);
                    phase[k] = rng.Range(0f, 2 * MathF.PI);
                    total += amp[k];
                }
                x = new float[n];
                y = new float[n];
                for (int i = 0; i < n; i++)
                {
                    float t = i * (2 * MathF.PI / n), r = 1f;
                    for (int k = 0; k < 3; k++) r += amp[k] * MathF.Sin((k + 2) * t + phase[k]);
                    r *= radius / total;
                    x[i] = r * MathF.Cos(t);
                    y[i] = r * MathF.Sin(t);
                }
                break;
            }
        }
        for (int i = 0; i < x.Length; i++)
        {
            float lx = x[i], ly = y[i];
            x[i] = cx + lx * cos - ly * sin;
            y[i] = cy + lx * sin + ly * cos;
        }
        return new Polygon(x, y);
    }

    /// <summary>One round of Chaikin corner cutting: rounds a polygon's corners, doubling its vertices.</summary>
    private static (float[] X, float[] Y) Chaikin((float[] X, float[] Y) p)
    {
        int n = p.X.Length;
        var x = new float[2 * n];
        var y = new float[2 * n];
        for (int i = 0; i < n; i++)
        {
            int j = (i + 1) % n;
            x[2 * i] = 0.75f * p.X[i] + 0.25f * p.X[j];
            y[2 * i] = 0.75f * p.Y[i] + 0.25f * p.Y[j];
            x[2 * i + 1] = 0.25f * p.X[i] + 0.75f * p.X[j];
            y[2 * i + 1] = 0.25f * p.Y[i] + 0.75f * p.Y[j];
        }
        return (x, y);
    }
}
