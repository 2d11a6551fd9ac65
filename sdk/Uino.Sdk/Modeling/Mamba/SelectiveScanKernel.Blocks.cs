using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Uino.Modeling.Mamba;

internal sealed unsafe partial class SelectiveScanKernel
{
    /// <summary>
    /// True when <see cref="ForwardBlock"/> applies: a forward-only scan (no states kept) whose blocks of
    /// <see cref="Lanes"/> consecutive channels each lie in one batch entry, one B group and one C group.
    /// </summary>
    public bool CanRunBlocks => States == null && Dim / GroupsB % Lanes == 0 && Dim / GroupsC % Lanes == 0;

    /// <summary>
    /// The forward recurrence of <see cref="Forward"/> for the <see cref="Lanes"/> channels of block
    /// <paramref name="block"/> at once: one channel per SIMD lane and a loop over the state dim. The block's channels
    /// share B_t and C_t (one group), so those are broadcasts; every lane does useful work whatever d_state is, and
    /// no horizontal sum is left in the time loop. (The per-row kernel runs the state dim in the lanes: at d_state 4,
    /// the embedded model's, half of each exp was padding, and every step ended in a horizontal sum.) Δ and Δ·u enter
    /// and y leaves through 8×8 SIMD transposes. Same arithmetic per (channel, state) as <see cref="Forward"/>; only
    /// the order of the C·x sum differs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardBlock(long block)
    {
        long row0 = block * Lanes;
        long d0 = RowPointers(row0, out float* bp, out float* cp);
        int len = (int)Len, n = (int)N, size = len * Lanes;
        // Three len×8 buffers: the block's rows, and the time-major Δ and Δ·u (lane c of step t = channel d0 + c).
        float[]? rented = size * 3 > 24576 ? ArrayPool<float>.Shared.Rent(size * 3) : null;
        Span<float> buffers = rented ?? stackalloc float[size * 3];
        Span<Vector256<float>> state = n <= 64 ? stackalloc Vector256<float>[n] : new Vector256<float>[n];
        Span<Vector256<float>> av = n <= 64 ? stackalloc Vector256<float>[n] : new Vector256<float>[n];
        Span<float> column = stackalloc float[Lanes];
        for (int k = 0; k < n; k++)
        {
            for (int c = 0; c < Lanes; c++) column[c] = A[(d0 + c) * N + k];
            av[k] = Vector256.Create<float>(column);
            state[k] = Vector256<float>.Zero;
        }
        fixed (float* rows = buffers)
        {
            float* dtT = rows + size, duT = rows + 2 * size;
            for (int c = 0; c < Lanes; c++)
                PrepareDeltaRow(Delta + (row0 + c) * Len, Bias == null ? 0f : Bias[d0 + c], Softplus, new Span<float>(rows + c * len, len));
            SimdTranspose.RowsToLanes(rows, len, dtT, len);
            for (int c = 0; c < Lanes; c++) Multiply(rows + c * len, U + (row0 + c) * Len, len);
            SimdTranspose.RowsToLanes(rows, len, duT, len);

            for (int t = 0; t < len; t++)
            {
                var vdt = Vector256.Load(dtT + t * Lanes);
                var vdu = Vector256.Load(duT + t * Lanes);
                float* bt = bp + (long)t * N, ct = cp + (long)t * N;
                var acc = Vector256<float>.Zero;
                for (int k = 0; k < n; k++)
                {
                    var s = SimdExp.MulAdd(SimdExp.Exp(vdt * av[k]), state[k], vdu * Vector256.Create(bt[k]));
                    state[k] = s;
                    acc = SimdExp.MulAdd(s, Vector256.Create(ct[k]), acc);
                }
                acc.Store(dtT + t * Lanes);   // Δ_t is not read again: its slot keeps y_t
            }

            SimdTranspose.LanesToRows(dtT, rows, len, len);
            for (int c = 0; c < Lanes; c++)
            {
                long r = row0 + c;
                Finish(rows + c * len, U + r * Len, D == null ? 0f : D[d0 + c], Z == null ? null : Z + r * Len, Out + r * Len, len);
            }
        }
        if (rented != null) ArrayPool<float>.Shared.Return(rented);
    }

    // x[t] *= u[t], vectorised over time.
    private static void Multiply(float* x, float* u, int len)
    {
        int t = 0;
        for (; t + Lanes <= len; t += Lanes) (Vector256.Load(x + t) * Vector256.Load(u + t)).Store(x + t);
        for (; t < len; t++) x[t] *= u[t];
    }

    // out = (y + u·D)·silu(z), vectorised over time; silu(z) = z / (1 + e^−z) with the scan's exp.
    private static void Finish(float* y, float* u, float skip, float* z, float* o, int len)
    {
        var vskip = Vector256.Create(skip);
        int t = 0;
        for (; t + Lanes <= len; t += Lanes)
        {
            var v = SimdExp.MulAdd(Vector256.Load(u + t), vskip, Vector256.Load(y + t));
            if (z != null)
            {
                var zv = Vector256.Load(z + t);
                v *= zv / (Vector256<float>.One + SimdExp.Exp(-zv));
            }
            v.Store(o + t);
        }
        for (; t < len; t++)
        {
            float v = y[t] + u[t] * skip;
            if (z != null) v *= z[t] / (1f + MathF.Exp(-z[t]));
            o[t] = v;
        }
    }
}
