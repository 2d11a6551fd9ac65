using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Uino.Modeling.Mamba;

/// <summary>
/// exp in single precision for the scan's decays exp(Δ·A), Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6
/// polynomial for eʳ, 2ⁿ put into the exponent bits. Within 2 ulp of the exact value on the scan's range (x ≤ 0).
/// <see cref="Vector256.Exp(Vector256{float})"/> is exact to 1 ulp but widens to double and costs about twice as much,
/// and the decays are most of the scan's work.
/// </summary>
internal static class SimdExp
{
    private const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float MaxX = 88.3762626647949f, MinX = -87.3365447504019f;   // 2ⁿ stays a normal float
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
                        P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(MinX)), Vector256.Create(MaxX));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = MulAdd(n, Vector256.Create(-Ln2Lo), MulAdd(n, Vector256.Create(-Ln2Hi), x));
        var p = MulAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = MulAdd(p, r, Vector256.Create(P2));
        p = MulAdd(p, r, Vector256.Create(P3));
        p = MulAdd(p, r, Vector256.Create(P4));
        p = MulAdd(p, r, Vector256.Create(P5));
        p = MulAdd(p, r * r, r + Vector256<float>.One);
        var scale = (Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    // Cephes logf's polynomial for log(1 + x), |x| ≤ √2 − 1.
    private const float L0 = 7.0376836292e-2f, L1 = -1.1514610310e-1f, L2 = 1.1676998740e-1f, L3 = -1.2420140846e-1f,
                        L4 = 1.4249322787e-1f, L5 = -1.6668057665e-1f, L6 = 2.0000714765e-1f, L7 = -2.4999993993e-1f,
                        L8 = 3.3333331174e-1f;

    /// <summary>
    /// softplus(x) = log(1 + eˣ) as torch computes it (beta 1, threshold 20: x itself above 20), written as
    /// max(x, 0) + log1p(e^−|x|) so that neither the exp overflows nor the log loses the small term: v = e^−|x| is in
    /// (0, 1], and log1p(v) is Cephes' log polynomial on v itself (v ≤ √2 − 1) or on (v − 1)/2 plus ln 2, both
    /// without forming the rounded 1 + v. Within a few ulp of the exact value; replaces
    /// <see cref="Vector256.Log(Vector256{float})"/> and <see cref="Vector256.Exp(Vector256{float})"/>, which widen to double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x)
    {
        var v = Exp(-Vector256.Abs(x));
        var big = Vector256.GreaterThan(v, Vector256.Create(0.41421356f));
        var r = Vector256.ConditionalSelect(big, (v - Vector256<float>.One) * Vector256.Create(0.5f), v);
        var e = big & Vector256<float>.One;                    // 1 where the ln 2 was split off, else 0
        var z = r * r;
        var p = MulAdd(Vector256.Create(L0), r, Vector256.Create(L1));
        p = MulAdd(p, r, Vector256.Create(L2));
        p = MulAdd(p, r, Vector256.Create(L3));
        p = MulAdd(p, r, Vector256.Create(L4));
        p = MulAdd(p, r, Vector256.Create(L5));
        p = MulAdd(p, r, Vector256.Create(L6));
        p = MulAdd(p, r, Vector256.Create(L7));
        p = MulAdd(p, r, Vector256.Create(L8));
        var y = MulAdd(e, Vector256.Create(Ln2Lo), p * r * z);
        y = MulAdd(z, Vector256.Create(-0.5f), y);
        var log1p = MulAdd(e, Vector256.Create(Ln2Hi), r + y);
        var result = Vector256.Max(x, Vector256<float>.Zero) + log1p;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(20f)), x, result);
    }

    /// <summary>
    /// a·b + c, fused where the CPU has FMA: the JIT never contracts a multiply and an add by itself, and fusing
    /// halves the polynomial's instructions (and rounds once instead of twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
}
