using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Uino.Modeling.Mamba;

/// <summary>
/// The selective scan over raw float32 memory, one (batch, channel) row per call, vectorised over the state dim:
/// the forward recurrence (optionally keeping every state for the backward pass) and its exact reverse-time
/// gradient. Layouts: u, Δ, z, out and their gradients b×d×L; A d×Np; B, C time-major b×G×L×Np with the state dim
/// zero-padded to Np, a multiple of <see cref="Lanes"/> (a padded lane has A = 0 and B = C = 0, so its state stays 0
/// and adds nothing, forwards or backwards). The forward pass also takes Np a multiple of <see cref="HalfLanes"/>
/// and runs the last four states as a Vector128: the paper's d_state 12 and the embedded model's 4 would otherwise
/// spend a quarter and a half of every step's exp and multiplies on padding.
/// </summary>
internal sealed unsafe partial class SelectiveScanKernel
{
    /// <summary>SIMD width (floats per Vector256).</summary>
    public const int Lanes = 8;

    /// <summary>Vector128 width: the forward pass's padding granularity.</summary>
    public const int HalfLanes = 4;

    // The kernel methods are compiled fully optimised at their first call ([AggressiveOptimization]): with tiered
    // compilation they would start as unoptimised tier-0 code and switch only after ~30 calls plus a background
    // recompile — several times slower for a session's first frames and for every short benchmark run.

    public float* U, Delta, A, B, C, D, Z, Bias;
    public long Dim, Len, N, GroupsB, GroupsC;   // N: the padded state size
    public bool Softplus;

    /// <summary>Forward output b×d×L.</summary>
    public float* Out;
    /// <summary>When set, the forward pass writes x_t of every step here (b×d×L×Np); the backward pass reads it.</summary>
    public float* States;

    // Backward: the incoming gradient and the per-row outputs (reduced over batch/groups by the caller).
    public float* GradOut, GradU, GradDelta, GradZ, GradARows, GradDRows, GradBiasRows, GradBRows, GradCRows;

    /// <summary>The channel of <paramref name="row"/> and the B and C rows of its group.</summary>
    private long RowPointers(long row, out float* bRow, out float* cRow)
    {
        long b = row / Dim, d = row % Dim;
        long gB = d / (Dim / GroupsB), gC = d / (Dim / GroupsC);
        bRow = B + (b * GroupsB + gB) * Len * N;
        cRow = C + (b * GroupsC + gC) * Len * N;
        return d;
    }

    /// <summary>x_t = exp(Δ_t A) x_{t−1} + Δ_t B_t u_t, y_t = C_t·x_t, out_t = (y_t + u_t D)·silu(z_t).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(long row)
    {
        long d = RowPointers(row, out float* bp, out float* cp);
        float* u = U + row * Len, o = Out + row * Len;
        float* z = Z == null ? null : Z + row * Len;
        float* states = States == null ? null : States + row * Len * N;
        float skip = D == null ? 0f : D[d];
        int vectors = (int)(N / Lanes), half = vectors * Lanes;
        bool tail = half != N;                       // N = 8·vectors + 4: the last four states as a Vector128
        Span<Vector256<float>> state = vectors <= 16 ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        Span<Vector256<float>> av = vectors <= 16 ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        for (int j = 0; j < vectors; j++) { state[j] = Vector256<float>.Zero; av[j] = Vector256.Load(A + d * N + j * Lanes); }
        var stateTail = Vector128<float>.Zero;
        var aTail = tail ? Vector128.Load(A + d * N + half) : Vector128<float>.Zero;
        Span<float> dts = Len <= 4096 ? stackalloc float[(int)Len] : new float[Len];
        PrepareDeltaRow(Delta + row * Len, Bias == null ? 0f : Bias[d], Softplus, dts);
        for (long t = 0; t < Len; t++)
        {
            float dt = dts[(int)t], du = dt * u[t];
            var vdt = Vector256.Create(dt);
            var vdu = Vector256.Create(du);
            var acc = Vector256<float>.Zero;
            float* bt = bp + t * N, ct = cp + t * N;
            for (int j = 0; j < vectors; j++)
            {
                var s = SimdExp.Exp(vdt * av[j]) * state[j] + vdu * Vector256.Load(bt + j * Lanes);
                state[j] = s;
                if (states != null) s.Store(states + t * N + j * Lanes);
                acc += s * Vector256.Load(ct + j * Lanes);
            }
            float y = Vector256.Sum(acc);
            if (tail)
            {
                // The exp runs in a Vector256 with an idle upper half: on AVX2 that costs what a Vector128 would.
                var decay = SimdExp.Exp(Vector256.Create(Vector128.Create(dt) * aTail, Vector128<float>.Zero)).GetLower();
                var s = decay * stateTail + Vector128.Create(du) * Vector128.Load(bt + half);
                stateTail = s;
                if (states != null) s.Store(states + t * N + half);
                y += Vector128.Sum(s * Vector128.Load(ct + half));
            }
            float outv = y + u[t] * skip;
            if (z != null) { float zv = z[t]; outv *= zv / (1f + MathF.Exp(-zv)); }
            o[t] = outv;
        }
    }

    /// <summary>
    /// Reverse-time gradient of <see cref="Forward"/> for one row. With dy_t = ∂L/∂y_t and the state adjoint
    /// λ_t = dy_t C_t + exp(Δ_{t+1} A) λ_{t+1}: ∂B_t = λ_t Δ_t u_t, ∂C_t = dy_t x_t, ∂A += λ_t x_{t−1} exp(Δ_t A) Δ_t,
    /// ∂Δ_t = Σ_n λ_t (x_{t−1} exp(Δ_t A) A + B_t u_t), ∂u_t = Δ_t Σ_n λ_t B_t + dy_t D. Per-row results for A, D,
    /// bias, B and C are reduced by the caller, so rows never write to shared memory. Needs N a multiple of
    /// <see cref="Lanes"/> (the autograd function pads to that).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(long row)
    {
        long d = RowPointers(row, out float* bp, out float* cp);
        float* u = U + row * Len, delta = Delta + row * Len, g = GradOut + row * Len;
        float* z = Z == null ? null : Z + row * Len;
        float* x = States + row * Len * N;
        float* gB = GradBRows + row * Len * N, gC = GradCRows + row * Len * N;
        float skip = D == null ? 0f : D[d], bias = Bias == null ? 0f : Bias[d];
        int vectors = (int)(N / Lanes);
        bool small = vectors <= 16;
        Span<Vector256<float>> av = small ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        Span<Vector256<float>> adjoint = small ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        Span<Vector256<float>> nextDecay = small ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        Span<Vector256<float>> gradA = small ? stackalloc Vector256<float>[vectors] : new Vector256<float>[vectors];
        for (int j = 0; j < vectors; j++)
        {
            av[j] = Vector256.Load(A + d * N + j * Lanes);
            adjoint[j] = nextDecay[j] = gradA[j] = Vector256<float>.Zero;
        }
        Span<float> dts = Len <= 4096 ? stackalloc float[(int)Len] : new float[Len];
        PrepareDeltaRow(delta, bias, Softplus, dts);
        float gradD = 0f, gradBias = 0f;
        for (long t = Len - 1; t >= 0; t--)
        {
            float dt = dts[(int)t], ut = u[t], dy = g[t];
            float* xt = x + t * N, xp = t > 0 ? x + (t - 1) * N : null, bt = bp + t * N, ct = cp + t * N;
            if (z != null)
            {
                // out = o·silu(z), o = y + u·D: y_t is recomputed from the kept state.
                var acc = Vector256<float>.Zero;
                for (int j = 0; j < vectors; j++) acc += Vector256.Load(ct + j * Lanes) * Vector256.Load(xt + j * Lanes);
                float zt = z[t], sig = 1f / (1f + MathF.Exp(-zt)), o = Vector256.Sum(acc) + ut * skip;
                GradZ[row * Len + t] = dy * o * sig * (1f + zt * (1f - sig));
                dy *= zt * sig;
            }
            gradD += dy * ut;
            var vdy = Vector256.Create(dy);
            var vdt = Vector256.Create(dt);
            var vdu = Vector256.Create(dt * ut);
            var vu = Vector256.Create(ut);
            var accDt = Vector256<float>.Zero;
            var accU = Vector256<float>.Zero;
            for (int j = 0; j < vectors; j++)
            {
                var bv = Vector256.Load(bt + j * Lanes);
                var lambda = adjoint[j] * nextDecay[j] + vdy * Vector256.Load(ct + j * Lanes);
                adjoint[j] = lambda;
                (vdy * Vector256.Load(xt + j * Lanes)).Store(gC + t * N + j * Lanes);
                (lambda * vdu).Store(gB + t * N + j * Lanes);
                var decay = SimdExp.Exp(vdt * av[j]);   // the forward pass's decay, bit for bit
                var throughDecay = xp == null ? Vector256<float>.Zero : lambda * Vector256.Load(xp + j * Lanes) * decay;
                gradA[j] += throughDecay * vdt;
                accDt += throughDecay * av[j] + lambda * bv * vu;
                accU += lambda * bv;
                nextDecay[j] = decay;
            }
            GradU[row * Len + t] = dt * Vector256.Sum(accU) + dy * skip;
            float gradDt = Vector256.Sum(accDt);
            if (Softplus)
            {
                // softplus'(x) = sigmoid(x); torch's threshold 20 makes it exactly 1 above.
                float xv = delta[t] + bias;
                gradDt *= xv > 20f ? 1f : 1f / (1f + MathF.Exp(-xv));
            }
            GradDelta[row * Len + t] = gradDt;
            gradBias += gradDt;
        }
        for (int j = 0; j < vectors; j++) gradA[j].Store(GradARows + row * N + j * Lanes);
        GradDRows[row] = gradD;
        GradBiasRows[row] = gradBias;
    }

    /// <summary>
    /// Δ + bias, then softplus as torch (beta 1, threshold 20), vectorised over time (<see cref="SimdExp.Softplus"/>).
    /// In the scalar tail, for x &lt; −15, log(1 + eˣ) = eˣ to float precision, and computing it directly keeps tiny
    /// steps exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PrepareDeltaRow(float* delta, float bias, bool softplus, Span<float> dts)
    {
        int len = dts.Length, t = 0;
        var vb = Vector256.Create(bias);
        if (softplus)
        {
            fixed (float* o = dts)
                for (; t + Lanes <= len; t += Lanes)
                    SimdExp.Softplus(Vector256.Load(delta + t) + vb).Store(o + t);
        }
        for (; t < len; t++)
        {
            float x = delta[t] + bias;
            dts[t] = !softplus || x > 20f ? x : x < -15f ? MathF.Exp(x) : MathF.Log(1f + MathF.Exp(x));
        }
    }
}
