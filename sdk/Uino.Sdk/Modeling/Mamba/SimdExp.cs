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

    /// <summary>
    /// a·b + c, fused where the CPU has FMA: the JIT never contracts a multiply and an add by itself, and fusing
    /// halves the polynomial's instructions (and rounds once instead of twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
}
