using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
        var r = x - n * Vector256.Create(Ln2Hi) - n * Vector256.Create(Ln2Lo);
        var p = Vector256.Create(P0);
        p = p * r + Vector256.Create(P1);
        p = p * r + Vector256.Create(P2);
        p = p * r + Vector256.Create(P3);
        p = p * r + Vector256.Create(P4);
        p = p * r + Vector256.Create(P5);
        p = p * (r * r) + r + Vector256<float>.One;
        var scale = (Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23;
        return p * scale.AsSingle();
    }
}
