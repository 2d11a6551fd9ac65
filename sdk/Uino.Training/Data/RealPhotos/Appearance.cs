namespace Uino.Training.Data.RealPhotos;

/// <summary>
/// Photometric changes of a pasted object, so two pastes of one object differ as two frames of a video do:
/// brightness, contrast, saturation and hue jitter, and an optional slight blur. Pure functions of the Random.
/// </summary>
internal static class Appearance
{
    public const double Brightness = 0.2, Contrast = 0.2, Saturation = 0.25, Hue = 0.03, BlurChance = 0.2;

    /// <summary>A jittered copy of the picture (maps unchanged): brightness ×[0.8, 1.2], contrast ×[0.8, 1.2] about
    /// the mean grey, saturation ×[0.75, 1.25], hue turned by ±0.03 of a turn (YIQ rotation); blurred by a 3×3
    /// binomial kernel with chance 0.2.</summary>
    public static Raster Jitter(Raster r, Random random)
    {
        float b = (float)(1 + Brightness * (2 * random.NextDouble() - 1));
        float c = (float)(1 + Contrast * (2 * random.NextDouble() - 1));
        float s = (float)(1 + Saturation * (2 * random.NextDouble() - 1));
        double h = Hue * (2 * random.NextDouble() - 1) * 2 * Math.PI;
        bool blur = random.NextDouble() < BlurChance;
        float cos = (float)Math.Cos(h), sin = (float)Math.Sin(h);
        var src = r.Rgb;
        double sum = 0;
        for (int i = 0; i < src.Length; i += 3) sum += 0.299 * src[i] + 0.587 * src[i + 1] + 0.114 * src[i + 2];
        float mean = (float)(sum / Math.Max(1, src.Length / 3)) * b;
        var dst = new byte[src.Length];
        for (int i = 0; i < src.Length; i += 3)
        {
            float R = src[i] * b, G = src[i + 1] * b, B = src[i + 2] * b;
            R = mean + (R - mean) * c; G = mean + (G - mean) * c; B = mean + (B - mean) * c;
            // YIQ: hue turns I/Q, saturation scales them.
            float y = 0.299f * R + 0.587f * G + 0.114f * B;
            float iq = 0.596f * R - 0.274f * G - 0.322f * B;
            float q = 0.211f * R - 0.523f * G + 0.312f * B;
            float i2 = s * (iq * cos - q * sin), q2 = s * (iq * sin + q * cos);
            dst[i] = Clamp(y + 0.956f * i2 + 0.621f * q2);
            dst[i + 1] = Clamp(y - 0.272f * i2 - 0.647f * q2);
            dst[i + 2] = Clamp(y - 1.106f * i2 + 1.703f * q2);
        }
        if (blur) dst = Blur(dst, r.Width, r.Height);
        return r with { Rgb = dst };
    }

    private static byte Clamp(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);

    /// <summary>Separable [1 2 1]/4 blur of an interleaved RGB buffer (edges clamped).</summary>
    public static byte[] Blur(byte[] rgb, int w, int h)
    {
        var tmp = new byte[rgb.Length];
        var dst = new byte[rgb.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int l = Math.Max(0, x - 1), r = Math.Min(w - 1, x + 1);
                for (int k = 0; k < 3; k++)
                    tmp[(y * w + x) * 3 + k] = (byte)((rgb[(y * w + l) * 3 + k] + 2 * rgb[(y * w + x) * 3 + k] + rgb[(y * w + r) * 3 + k] + 2) >> 2);
            }
        for (int y = 0; y < h; y++)
        {
            int u = Math.Max(0, y - 1), d = Math.Min(h - 1, y + 1);
            for (int x = 0; x < w; x++)
                for (int k = 0; k < 3; k++)
                    dst[(y * w + x) * 3 + k] = (byte)((tmp[(u * w + x) * 3 + k] + 2 * tmp[(y * w + x) * 3 + k] + tmp[(d * w + x) * 3 + k] + 2) >> 2);
        }
        return dst;
    }
}
