namespace Uino.Training.Data.Synthetic;

/// <summary>
/// SplitMix64: a tiny deterministic generator the synthetic benchmark owns, so scenes do not depend on
/// <see cref="Random"/>'s implementation (which .NET may change) and are identical on every runtime.
/// </summary>
internal struct SceneRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextU64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextU64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [min, max).</summary>
    public float Range(float min, float max) => min + (max - min) * NextFloat();

    /// <summary>Uniform integer in [0, count).</summary>
    public int Next(int count) => (int)((NextU64() >> 33) % (ulong)count);

    /// <summary>Uniform integer in [min, max] (inclusive).</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public uint NextU32() => (uint)(NextU64() >> 32);

    /// <summary>A 32-bit integer hash (lowbias32) for per-cell noise that needs no state.</summary>
    public static uint Hash(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU;
        x ^= x >> 16;
        return x;
    }

    /// <summary>Hash of a 2-D integer cell under a salt, as a float in [0, 1).</summary>
    public static float Cell(int x, int y, uint salt) =>
        (Hash((uint)x * 0x9E3779B1U + (uint)y * 0x85EBCA77U + salt) >> 8) * (1f / (1 << 24));

    /// <summary>Smooth value noise in [0, 1) at (x, y), lattice spacing 1, smoothstep interpolation.</summary>
    public static float ValueNoise(float x, float y, uint salt)
    {
        float fx = MathF.Floor(x), fy = MathF.Floor(y);
        int ix = (int)fx, iy = (int)fy;
        float tx = x - fx, ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        float a = Cell(ix, iy, salt), b = Cell(ix + 1, iy, salt);
        float c = Cell(ix, iy + 1, salt), d = Cell(ix + 1, iy + 1, salt);
        float top = a + (b - a) * tx, bottom = c + (d - c) * tx;
        return top + (bottom - top) * ty;
    }

    /// <summary>Mixes a dataset seed with further values into one scene seed.</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        var r = new SceneRandom(a * 0xD1B54A32D192ED03UL ^ b);
        return r.NextU64();
    }
}
