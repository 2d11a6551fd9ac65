using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>Which implementation of the selective scan <see cref="SelectiveScan.Forward"/> runs.</summary>
public enum ScanPath
{
    /// <summary>The fast CPU kernel (with its own backward) for float32 CPU tensors, else the chunked path.</summary>
    Auto,
    /// <summary>The per-step recurrence (the oracle; slow for long sequences).</summary>
    Reference,
    /// <summary>Chunked log-depth scan in tensor ops; differentiable.</summary>
    Chunked,
    /// <summary>Sequential recurrence over raw memory in C# SIMD, parallel over batch×channels, with an exact backward.</summary>
    Fast,
}

/// <summary>
/// Mamba's selective scan (S6): per channel d and state n, x_t = exp(Δ_t·A_dn)·x_{t−1} + Δ_t·B_tn·u_t,
/// y_t = Σ_n C_tn·x_tn, out = (y + u·D)·silu(z). u, Δ, z: Batch×D×L; A: D×N; B, C: Batch×N×L, or grouped
/// Batch×G×N×L where group g serves channels g·D/G … (g+1)·D/G − 1 (VMamba's K directions).
/// Δ gets delta_bias added and softplus applied first when asked.
/// </summary>
internal static class SelectiveScan
{
    /// <summary>
    /// Steps per chunk of the chunked path. The in-chunk scan costs log2(T) full-size passes and the carry
    /// across chunks log2(L/T) passes on 1/T of the data; 16 balances the two for L 16..1369 (not yet tuned by measurement).
    /// </summary>
    public const int DefaultChunk = 16;

    /// <summary>Runs the scan with the chosen implementation (default: the fastest one that suits autograd).</summary>
    public static Tensor Forward(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                                 Tensor? deltaBias = null, bool deltaSoftplus = false, ScanPath path = ScanPath.Auto)
    {
        if (path == ScanPath.Auto)
            path = CanRunFast(u, delta, A, B, C, D, z, deltaBias) ? ScanPath.Fast : ScanPath.Chunked;
        return path switch
        {
            ScanPath.Reference => Reference(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus),
            ScanPath.Fast => Fast(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus),
            _ => Chunked(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus),
        };
    }

    /// <summary>The straightforward per-step recurrence, as Mamba's selective_scan_ref: the oracle.</summary>
    public static Tensor Reference(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                                   Tensor? deltaBias = null, bool deltaSoftplus = false)
    {
        var (batch, dim, len, n) = Validate(u, delta, A, B, C, D, z, deltaBias);
        using var scope = NewDisposeScope();
        var dt = PrepareDelta(delta, deltaBias, deltaSoftplus);
        var deltaA = exp(dt.unsqueeze(-1) * A.unsqueeze(1));                  // b d l n
        var deltaBu = (dt * u).unsqueeze(-1) * ExpandGroups(B, dim);          // b d l n
        var cs = ExpandGroups(C, dim);                                         // b d l n
        var x = zeros(new long[] { batch, dim, n }, dtype: u.dtype, device: u.device);
        var ys = new Tensor[len];
        for (long i = 0; i < len; i++)
        {
            x = (deltaA.select(2, i) * x).Plus(deltaBu.select(2, i));
            ys[i] = (x * cs.select(2, i)).sum(-1);
        }
        var y = stack(ys, 2);
        return Finish(y, u, D, z).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The differentiable production path. Within chunks of <paramref name="chunk"/> steps the linear
    /// recurrence h_t = a_t·h_{t−1} + b_t is solved by log-depth doubling (Hillis–Steele) on the pairs
    /// (a, b); the chunk-end states are then combined by the same doubling across chunks and broadcast
    /// back. Only products of decays a = exp(Δ·A) are formed, never exp of a positive sum, so long chunks
    /// with strong decay cannot overflow.
    /// </summary>
    public static Tensor Chunked(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                                 Tensor? deltaBias = null, bool deltaSoftplus = false, int chunk = DefaultChunk)
    {
        var (batch, dim, len, n) = Validate(u, delta, A, B, C, D, z, deltaBias);
        if (chunk < 1) throw new ArgumentException($"chunk must be positive, got {chunk}.", nameof(chunk));
        using var scope = NewDisposeScope();
        var dt = PrepareDelta(delta, deltaBias, deltaSoftplus);
        long t = Math.Min(chunk, len), chunks = (len + t - 1) / t, padded = chunks * t;

        var dA = dt.unsqueeze(-1) * A.unsqueeze(1);                           // b d l n
        var bu = GroupedMul((dt * u).unsqueeze(-1), B);                       // b d l n
        if (padded != len)
        {
            // Padding steps have decay 1 and input 0: they leave the state unchanged and are cut off below.
            dA = nn.functional.pad(dA, new long[] { 0, 0, 0, padded - len });
            bu = nn.functional.pad(bu, new long[] { 0, 0, 0, padded - len });
        }
        var shape = new long[] { batch, dim, chunks, t, n };
        var (decay, h) = DoublingScan(exp(dA).view(shape), bu.view(shape), needDecay: chunks > 1);
        if (chunks > 1)
        {
            // State entering chunk c = the scan over chunk ends up to c − 1, then decayed inside chunk c.
            var (_, ends) = DoublingScan(decay.select(3, t - 1), h.select(3, t - 1), needDecay: false);
            var carried = h.narrow(2, 1, chunks - 1).Plus(decay.narrow(2, 1, chunks - 1) * ends.narrow(2, 0, chunks - 1).unsqueeze(3));
            h = cat(new[] { h.narrow(2, 0, 1), carried }, 2);
        }
        h = h.view(batch, dim, padded, n).narrow(2, 0, len);
        var y = GroupedMul(h, C).sum(-1);
        return Finish(y, u, D, z).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Inclusive scan of h_t = a_t·h_{t−1} + b_t (h_{−1} = 0) along dim −2 by doubling: after the step with
    /// shift k each (a_t, b_t) describes the window of 2k steps ending at t. Returns the cumulative decay
    /// Π a (when <paramref name="needDecay"/>) and the states.
    /// </summary>
    private static (Tensor Decay, Tensor States) DoublingScan(Tensor a, Tensor b, bool needDecay)
    {
        long len = a.shape[^2];
        for (long k = 1; k < len; k *= 2)
        {
            // The first k steps have no predecessor k back and stay as they are (no multiply by a padding
            // zero, so a decay that overflowed to inf cannot turn into NaN there).
            var bNew = cat(new[] { b.narrow(-2, 0, k), b.narrow(-2, k, len - k).Plus(a.narrow(-2, k, len - k) * b.narrow(-2, 0, len - k)) }, -2);
            if (needDecay || 2 * k < len)
                a = cat(new[] { a.narrow(-2, 0, k), a.narrow(-2, k, len - k) * a.narrow(-2, 0, len - k) }, -2);
            b = bNew;
        }
        return (a, b);
    }

    /// <summary>
    /// The CPU path: the sequential recurrence per (batch, channel) over raw float32 memory
    /// (<see cref="SelectiveScanKernel"/>), parallel over batch×channels (<see cref="ScanRows"/>), one pass over the inputs. When a
    /// gradient is wanted it runs as <see cref="SelectiveScanFunction"/>, which keeps the states and has the exact
    /// reverse-time backward.
    /// </summary>
    public static Tensor Fast(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                              Tensor? deltaBias = null, bool deltaSoftplus = false)
    {
        var (batch, dim, len, _) = Validate(u, delta, A, B, C, D, z, deltaBias);
        if (!CanRunFast(u, delta, A, B, C, D, z, deltaBias))
            throw new ArgumentException("The fast selective scan needs float32 CPU tensors.");
        if (is_grad_enabled() && new[] { u, delta, A, B, C, D, z, deltaBias }.Any(t => t is not null && t.requires_grad))
            return SelectiveScanFunction.Apply(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ops = ScanOperands.Prepare(u, delta, A, B, C, D, z, deltaBias, SelectiveScanKernel.HalfLanes);
        var result = empty(new long[] { batch, dim, len }, dtype: ScalarType.Float32);
        var kernel = ops.Kernel(deltaSoftplus);
        unsafe { kernel.Out = (float*)ScanOperands.Ptr(result); }
        if (kernel.CanRunBlocks)
            ScanRows.For(batch * dim / SelectiveScanKernel.Lanes, len * ops.PaddedN * SelectiveScanKernel.Lanes, kernel.ForwardBlock);
        else
            ScanRows.For(batch * dim, len * ops.PaddedN, kernel.Forward);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>True when <see cref="Fast"/> applies: float32 CPU inputs (with or without gradients).</summary>
    public static bool CanRunFast(params Tensor?[] tensors) =>
        tensors.All(t => t is null || (t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU));

    private static Tensor PrepareDelta(Tensor delta, Tensor? bias, bool softplus)
    {
        var dt = bias is null ? delta : delta.Plus(bias.unsqueeze(-1));
        return softplus ? ScalarOps.Softplus(dt) : dt;
    }

    /// <summary>y + u·D, then the gate silu(z).</summary>
    private static Tensor Finish(Tensor y, Tensor u, Tensor? D, Tensor? z)
    {
        var o = D is null ? y : y.Plus(u * D.unsqueeze(-1));
        return z is null ? o : o * nn.functional.silu(z);
    }

    /// <summary>B or C (b n l or b g n l) repeated per channel as b d l n, like selective_scan_ref does.</summary>
    private static Tensor ExpandGroups(Tensor m, long dim)
    {
        var g = m.dim() == 3 ? m.unsqueeze(1) : m;                             // b g n l
        long batch = g.shape[0], groups = g.shape[1], n = g.shape[2], len = g.shape[3];
        return g.transpose(-1, -2).unsqueeze(2).expand(batch, groups, dim / groups, len, n).reshape(batch, dim, len, n);
    }

    /// <summary>
    /// x (b d l n or b d l 1) times B or C broadcast over each group's D/G channels, without materialising
    /// the per-channel copy of B/C.
    /// </summary>
    private static Tensor GroupedMul(Tensor x, Tensor m)
    {
        var g = (m.dim() == 3 ? m.unsqueeze(1) : m).transpose(-1, -2).unsqueeze(2);   // b g 1 l n
        long batch = x.shape[0], dim = x.shape[1], groups = g.shape[1];
        var xg = x.reshape(batch, groups, dim / groups, x.shape[2], x.shape[3]);
        var r = xg * g;
        return r.reshape(batch, dim, r.shape[3], r.shape[4]);
    }

    private static (long Batch, long Dim, long Len, long N) Validate(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
                                                                     Tensor? D, Tensor? z, Tensor? bias)
    {
        static string S(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
        if (u.dim() != 3) throw new ArgumentException($"u must be Batch×D×L, got {S(u)}.");
        long batch = u.shape[0], dim = u.shape[1], len = u.shape[2];
        if (!delta.shape.SequenceEqual(u.shape)) throw new ArgumentException($"delta {S(delta)} must match u {S(u)}.");
        if (A.dim() != 2 || A.shape[0] != dim) throw new ArgumentException($"A must be D×N with D = {dim}, got {S(A)}.");
        long n = A.shape[1];
        foreach (var (m, name) in new[] { (B, "B"), (C, "C") })
        {
            bool plain = m.dim() == 3 && m.shape[0] == batch && m.shape[1] == n && m.shape[2] == len;
            bool grouped = m.dim() == 4 && m.shape[0] == batch && m.shape[1] > 0 && dim % m.shape[1] == 0 &&
                           m.shape[2] == n && m.shape[3] == len;
            if (!plain && !grouped)
                throw new ArgumentException($"{name} must be Batch×N×L [{batch}, {n}, {len}] or Batch×G×N×L with G dividing D = {dim}, got {S(m)}.");
        }
        if (D is not null && (D.dim() != 1 || D.shape[0] != dim)) throw new ArgumentException($"D must have {dim} entries, got {S(D)}.");
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != dim)) throw new ArgumentException($"delta_bias must have {dim} entries, got {S(bias)}.");
        if (z is not null && !z.shape.SequenceEqual(u.shape)) throw new ArgumentException($"z {S(z)} must match u {S(u)}.");
        return (batch, dim, len, n);
    }
}
