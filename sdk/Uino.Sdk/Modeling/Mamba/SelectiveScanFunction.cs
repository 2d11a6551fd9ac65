using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>
/// The fast selective scan as an autograd function: <see cref="SelectiveScanKernel.Forward"/> keeps every state,
/// <see cref="SelectiveScanKernel.Backward"/> runs the exact reverse-time gradient over them — what Mamba's CUDA
/// kernel does, here in C# SIMD on the CPU. Training no longer pays for the chunked path's log-depth passes of
/// tensor ops. Arguments (as <see cref="SelectiveScan.Forward"/>): u, Δ, A, B, C, D?, z?, Δ-bias?, softplus.
/// </summary>
internal sealed class SelectiveScanFunction : autograd.SingleTensorFunction<SelectiveScanFunction>
{
    public override string Name => "UinoSelectiveScan";

    /// <summary>Which optional inputs were given and how B and C were shaped; saved for the backward pass.</summary>
    private sealed record Layout(long N, bool PlainB, bool PlainC, bool HasD, bool HasZ, bool HasBias, bool Softplus);

    public static Tensor Apply(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z, Tensor? deltaBias, bool softplus) =>
        apply(u, delta, A, B, C, D!, z!, deltaBias!, softplus);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (u, delta, A, B, C) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        var (D, z, bias, softplus) = (vars[5] as Tensor, vars[6] as Tensor, vars[7] as Tensor, (bool)vars[8]);
        var ops = ScanOperands.Prepare(u, delta, A, B, C, D, z, bias);
        long batch = u.shape[0], dim = u.shape[1], len = u.shape[2];
        var states = empty(new long[] { batch, dim, len, ops.PaddedN }, dtype: ScalarType.Float32);
        var result = empty(new long[] { batch, dim, len }, dtype: ScalarType.Float32);
        var kernel = ops.Kernel(softplus);
        unsafe
        {
            kernel.Out = (float*)ScanOperands.Ptr(result);
            kernel.States = (float*)ScanOperands.Ptr(states);
        }
        ScanRows.For(batch * dim, len * ops.PaddedN, kernel.Forward);
        var saved = new List<Tensor> { ops.U, ops.Delta, ops.A, ops.B, ops.C, states };
        saved.AddRange(new[] { ops.D, ops.Z, ops.Bias }.OfType<Tensor>());
        ctx.save_for_backward(saved);
        ctx.save_data("layout", new Layout(A.shape[1], B.dim() == 3, C.dim() == 3, D is not null, z is not null, bias is not null, softplus));
        return result;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var layout = (Layout)ctx.get_data("layout");
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        int next = 6;
        var ops = new ScanOperands(saved[0], saved[1], saved[2], saved[3], saved[4],
                                   layout.HasD ? saved[next++] : null, layout.HasZ ? saved[next++] : null, layout.HasBias ? saved[next] : null);
        var states = saved[5];
        long batch = ops.U.shape[0], dim = ops.U.shape[1], len = ops.U.shape[2], np = ops.PaddedN;
        var g = gradOutput.to(ScalarType.Float32).contiguous();
        Tensor Zeros(params long[] shape) => zeros(shape, dtype: ScalarType.Float32);
        var gradU = Zeros(batch, dim, len);
        var gradDelta = Zeros(batch, dim, len);
        var gradZ = layout.HasZ ? Zeros(batch, dim, len) : null;
        var gradARows = Zeros(batch, dim, np);
        var gradDRows = Zeros(batch, dim);
        var gradBiasRows = Zeros(batch, dim);
        var gradBRows = Zeros(batch, dim, len, np);
        var gradCRows = Zeros(batch, dim, len, np);
        var kernel = ops.Kernel(layout.Softplus);
        unsafe
        {
            kernel.States = (float*)ScanOperands.Ptr(states);
            kernel.GradOut = (float*)ScanOperands.Ptr(g);
            kernel.GradU = (float*)ScanOperands.Ptr(gradU);
            kernel.GradDelta = (float*)ScanOperands.Ptr(gradDelta);
            kernel.GradZ = (float*)ScanOperands.Ptr(gradZ);
            kernel.GradARows = (float*)ScanOperands.Ptr(gradARows);
            kernel.GradDRows = (float*)ScanOperands.Ptr(gradDRows);
            kernel.GradBiasRows = (float*)ScanOperands.Ptr(gradBiasRows);
            kernel.GradBRows = (float*)ScanOperands.Ptr(gradBRows);
            kernel.GradCRows = (float*)ScanOperands.Ptr(gradCRows);
        }
        ScanRows.For(batch * dim, len * np, kernel.Backward);

        // Per-row partials → the inputs' shapes: B/C are shared by the D/G channels of a group, A, D and the bias by the batch.
        Tensor PerGroup(Tensor rows, long groups, bool plain)
        {
            var r = rows.view(batch, groups, dim / groups, len, np).sum(2).narrow(-1, 0, layout.N).transpose(-1, -2);
            return plain ? r.squeeze(1) : r;
        }
        var grads = new List<Tensor?>
        {
            gradU, gradDelta, gradARows.sum(dim: 0).narrow(1, 0, layout.N),
            PerGroup(gradBRows, ops.B.shape[1], layout.PlainB), PerGroup(gradCRows, ops.C.shape[1], layout.PlainC),
            layout.HasD ? gradDRows.sum(dim: 0) : null, gradZ, layout.HasBias ? gradBiasRows.sum(dim: 0) : null, null,
        };
        foreach (var t in grads) t?.MoveToOuterDisposeScope();
        return grads!;
    }
}

/// <summary>The scan's inputs as the kernel reads them: contiguous float32, B/C time-major with the state dim padded.</summary>
internal sealed record ScanOperands(Tensor U, Tensor Delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? Z, Tensor? Bias)
{
    /// <summary>The padded state size (a multiple of the SIMD width, or of half of it for a forward-only scan).</summary>
    public long PaddedN => A.shape[1];

    /// <summary>
    /// Pads the state dim to a multiple of <paramref name="lanes"/>: <see cref="SelectiveScanKernel.Lanes"/> when the
    /// backward pass will run, <see cref="SelectiveScanKernel.HalfLanes"/> for a forward-only scan.
    /// </summary>
    public static ScanOperands Prepare(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z, Tensor? bias,
                                       long lanes = SelectiveScanKernel.Lanes)
    {
        long n = A.shape[1];
        var pad = new long[] { 0, (n + lanes - 1) / lanes * lanes - n };
        // Detached views: the kernel reads raw memory, autograd is the caller's business.
        Tensor TimeMajor(Tensor m) => nn.functional.pad((m.dim() == 3 ? m.unsqueeze(1) : m).detach().transpose(-1, -2), pad).contiguous();
        static Tensor? Flat(Tensor? t) => t?.detach().contiguous();
        return new ScanOperands(Flat(u)!, Flat(delta)!, nn.functional.pad(A.detach(), pad).contiguous(), TimeMajor(B), TimeMajor(C),
                                Flat(D), Flat(z), Flat(bias));
    }

    public unsafe SelectiveScanKernel Kernel(bool softplus) => new()
    {
        U = (float*)Ptr(U), Delta = (float*)Ptr(Delta), A = (float*)Ptr(A), B = (float*)Ptr(B), C = (float*)Ptr(C),
        D = (float*)Ptr(D), Z = (float*)Ptr(Z), Bias = (float*)Ptr(Bias),
        Dim = U.shape[1], Len = U.shape[2], N = PaddedN, GroupsB = B.shape[1], GroupsC = C.shape[1], Softplus = softplus,
    };

    /// <summary>Address of a contiguous CPU tensor's data (0 for null); valid while the tensor lives.</summary>
    public static unsafe nint Ptr(Tensor? t)
    {
        if (t is null) return 0;
        fixed (byte* p = t.bytes) return (nint)p;
    }
}
