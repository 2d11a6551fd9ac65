using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Uino.Modeling.Mamba;

/// <summary>
/// 8×8 float transposes between row-major blocks: eight rows of eight floats in, eight columns out. With AVX the
/// eight loads are shuffled in registers (unpack, shuffle, 128-bit permute: 24 shuffles for 64 floats); a scalar
/// gather/scatter of the same block costs several instructions per float.
/// </summary>
internal static unsafe class SimdTranspose
{
    /// <summary>dst[j·dstStride + i] = src[i·srcStride + j] for i, j in 0…7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block8(float* src, long srcStride, float* dst, long dstStride)
    {
        if (!Avx.IsSupported)
        {
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++) dst[j * dstStride + i] = src[i * srcStride + j];
            return;
        }
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        // Pairs of rows interleaved, then pairs of pairs: each 128-bit half holds a 4×4 sub-block's columns.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// Eight rows of <paramref name="len"/> floats (row i at src + i·srcStride) to <paramref name="len"/> time-major
    /// groups of eight (step t at dst + 8t): whole 8×8 blocks by <see cref="Block8"/>, the last len mod 8 steps one by one.
    /// </summary>
    public static void RowsToLanes(float* src, long srcStride, float* dst, int len)
    {
        int t = 0;
        for (; t + 8 <= len; t += 8) Block8(src + t, srcStride, dst + (long)t * 8, 8);
        for (; t < len; t++)
            for (int i = 0; i < 8; i++) dst[(long)t * 8 + i] = src[i * srcStride + t];
    }

    /// <summary>The inverse of <see cref="RowsToLanes"/>.</summary>
    public static void LanesToRows(float* src, float* dst, long dstStride, int len)
    {
        int t = 0;
        for (; t + 8 <= len; t += 8) Block8(src + (long)t * 8, 8, dst + t, dstStride);
        for (; t < len; t++)
            for (int i = 0; i < 8; i++) dst[i * dstStride + t] = src[(long)t * 8 + i];
    }
}
