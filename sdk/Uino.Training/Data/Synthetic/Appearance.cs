using System.Runtime.CompilerServices;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Synthetic;

/// <summary>
/// One drawn object's resolved appearance: a two-colour pattern in the object's own rotated frame (so the texture
/// moves and turns with the object) with a mild linear shading. Evaluated per pixel without allocation.
/// </summary>
internal readonly struct Appearance(
    PatternFamily family, Rgb24 primary, Rgb24 secondary, float cx, float cy, float cos, float sin, float invPeriod,
    float phaseU, float phaseV, float ringU, float ringV, float shadeX, float shadeY, uint salt, float contrast)
{
    private readonly PatternFamily _family = family;
    private readonly float _ar = primary.R, _ag = primary.G, _ab = primary.B;
    private readonly float _br = primary.R + (secondary.R - primary.R) * contrast;
    private readonly float _bg = primary.G + (secondary.G - primary.G) * contrast;
    private readonly float _bb = primary.B + (secondary.B - primary.B) * contrast;
    private readonly float _cx = cx, _cy = cy, _cos = cos, _sin = sin, _invPeriod = invPeriod;
    private readonly float _phaseU = phaseU, _phaseV = phaseV, _ringU = ringU, _ringV = ringV;
    private readonly float _shadeX = shadeX, _shadeY = shadeY;
    private readonly uint _salt = salt;

    /// <summary>True where the pattern shows the primary colour at pixel (x, y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsPrimary(float dx, float dy)
    {
        float lu = (dx * _cos + dy * _sin) * _invPeriod;
        float lv = (dy * _cos - dx * _sin) * _invPeriod;
        float u = lu + _phaseU, v = lv + _phaseV;
        switch (_family)
        {
            case PatternFamily.Stripes:
                return Frac(u) < 0.5f;
            case PatternFamily.Checkerboard:
                return (((int)MathF.Floor(u) + (int)MathF.Floor(v)) & 1) == 0;
            case PatternFamily.Dots:
            {
                float row = MathF.Floor(v);
                float fu = Frac(u + 0.5f * (((int)row) & 1)) - 0.5f, fv = v - row - 0.5f;
                return fu * fu + fv * fv < 0.1f;
            }
            case PatternFamily.Rings:
            {
                float du = lu - _ringU, dv = lv - _ringV;
                return Frac(MathF.Sqrt(du * du + dv * dv) + _phaseU) < 0.5f;
            }
            case PatternFamily.Blobs:
                return SceneRandom.ValueNoise(u, v, _salt) < 0.5f;
            case PatternFamily.Waves:
                return Frac(u + 0.35f * MathF.Sin(v * (2f * MathF.PI / 2.5f))) < 0.5f;
            case PatternFamily.Speckle:
                return SceneRandom.Cell((int)MathF.Floor(u * 4f), (int)MathF.Floor(v * 4f), _salt) >= 0.2f;
            case PatternFamily.Grid:
                return Frac(u) < 0.25f || Frac(v) < 0.25f;
            default:
                return true;
        }
    }

    /// <summary>Shades pixel (x, y) into linear-ish RGB floats (0..255, before scene lighting).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Shade(int x, int y, out float r, out float g, out float b)
    {
        float dx = x + 0.5f - _cx, dy = y + 0.5f - _cy;
        float k = 1f + _shadeX * dx + _shadeY * dy;
        if (IsPrimary(dx, dy))
        {
            r = _ar * k; g = _ag * k; b = _ab * k;
        }
        else
        {
            r = _br * k; g = _bg * k; b = _bb * k;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Frac(float x) => x - MathF.Floor(x);
}

internal static class ColorMath
{
    /// <summary>Shifts hue by degrees and scales saturation and value (HSV), clamped.</summary>
    public static Rgb24 Jitter(Rgb24 c, float hueDegrees, float saturation, float value)
    {
        ToHsv(c, out float h, out float s, out float v);
        h = (h + hueDegrees) % 360f;
        if (h < 0) h += 360f;
        return FromHsv(h, Math.Clamp(s * saturation, 0f, 1f), Math.Clamp(v * value, 0f, 1f));
    }

    public static void ToHsv(Rgb24 c, out float h, out float s, out float v)
    {
        float r = c.R / 255f, g = c.G / 255f, b = c.B / 255f;
        float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b)), d = max - min;
        v = max;
        s = max <= 0 ? 0 : d / max;
        if (d <= 1e-6f) h = 0;
        else if (max == r) h = 60f * (((g - b) / d) % 6f);
        else if (max == g) h = 60f * ((b - r) / d + 2f);
        else h = 60f * ((r - g) / d + 4f);
        if (h < 0) h += 360f;
    }

    public static Rgb24 FromHsv(float h, float s, float v)
    {
        float c = v * s, hp = h / 60f, x = c * (1 - MathF.Abs(hp % 2f - 1)), m = v - c;
        (float r, float g, float b) = (int)hp switch
        {
            0 => (c, x, 0f),
            1 => (x, c, 0f),
            2 => (0f, c, x),
            3 => (0f, x, c),
            4 => (x, 0f, c),
            _ => (c, 0f, x),
        };
        return new Rgb24(ToByte((r + m) * 255f), ToByte((g + m) * 255f), ToByte((b + m) * 255f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(float x) => x <= 0 ? (byte)0 : x >= 255 ? (byte)255 : (byte)(x + 0.5f);
}
