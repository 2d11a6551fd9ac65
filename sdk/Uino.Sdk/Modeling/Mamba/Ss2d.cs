using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Mamba;

/// <summary>The tensors SS2D hands to and gets from its selective scan, and the merged 4-direction sum.</summary>
internal sealed record Ss2dTrace(Tensor Out, Tensor Merged, Tensor ScanU, Tensor ScanDelta, Tensor ScanB, Tensor ScanC, Tensor ScanOut);

/// <summary>
/// SS2D of VMamba, forward_type v0 (the original VMamba paper's 2D selective scan), channels-last
/// B×H×W×d_model in and out. The feature map is scanned in four directions (row-major, column-major and
/// both reversed) by one grouped selective scan, and the four results are merged back onto the grid.
/// </summary>
// Field names mirror the official SS2D state_dict keys (x_proj_weight, A_logs, ...), hence the snake case.
#pragma warning disable IDE1006
internal sealed class Ss2d : nn.Module<Tensor, Tensor>
{
    private const int K = CrossScan.Directions;

    private readonly Linear in_proj;
    private readonly Conv2d conv2d;
    private readonly Parameter x_proj_weight;     // K × (R + 2N) × d_inner
    private readonly Parameter dt_projs_weight;   // K × d_inner × R
    private readonly Parameter dt_projs_bias;     // K × d_inner
    private readonly Parameter A_logs;            // K·d_inner × N
    private readonly Parameter Ds;                // K·d_inner
    private readonly LayerNorm out_norm;
    private readonly Linear out_proj;

    public long DModel { get; }
    public long DInner { get; }
    public long DState { get; }
    public long DtRank { get; }

    /// <summary>Which scan implementation runs (Auto: the C# fast path without grad, else the chunked one).</summary>
    public ScanPath ScanPath { get; set; } = ScanPath.Auto;

    /// <param name="dModel">Channels in and out.</param>
    /// <param name="dState">State size N per channel.</param>
    /// <param name="ssmRatio">d_inner = ssm_ratio · d_model.</param>
    /// <param name="dtRank">Rank R of the Δ projection; null for "auto" = ceil(d_model / 16).</param>
    /// <param name="dtMin">Lower end of the initial Δ = softplus(dt bias).</param>
    /// <param name="dtMax">Upper end of the initial Δ.</param>
    /// <param name="dtInitFloor">Minimum initial Δ.</param>
    /// <param name="name">Module name.</param>
    /// <param name="device">Where to allocate the weights (default CPU); <c>meta</c> for shapes only.</param>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Ss2d))]
    public Ss2d(long dModel, long dState = 16, double ssmRatio = 2.0, long? dtRank = null,
                double dtMin = 0.001, double dtMax = 0.1, double dtInitFloor = 1e-4, string name = "SS2D",
                Device? device = null) : base(name)
    {
        if (dModel < 1 || dState < 1 || ssmRatio <= 0)
            throw new ArgumentException($"SS2D needs d_model ≥ 1, d_state ≥ 1 and ssm_ratio > 0 (got {dModel}, {dState}, {ssmRatio}).");
        DModel = dModel;
        DState = dState;
        DInner = (long)(ssmRatio * dModel);
        DtRank = dtRank ?? (dModel + 15) / 16;
        if (DInner < 1 || DtRank < 1) throw new ArgumentException($"d_inner {DInner} and dt_rank {DtRank} must be positive.");

        // v0 hard-codes: no bias on the projections, depthwise 3×3 conv with bias, SiLU.
        in_proj = Layers.Linear(dModel, 2 * DInner, hasBias: false, device: device);
        conv2d = Layers.Conv2d(DInner, DInner, 3, padding: 1, groups: DInner, bias: true, device: device);
        out_norm = Layers.LayerNorm(DInner, eps: 1e-5, device: device);
        out_proj = Layers.Linear(DInner, dModel, hasBias: false, device: device);

        // The scope holds the temporaries until the parameters are made: a temporary passed to a native op and not
        // used after could otherwise be finalised (freed) while the op reads it, when networks are built on several
        // threads at once. Layers.Parameter takes each parameter out of it.
        using (no_grad())
        using (NewDisposeScope())
        {
            // x_proj: K stacked nn.Linear(d_inner, R+2N) with PyTorch's default bound 1/sqrt(fan_in).
            double xb = 1.0 / Math.Sqrt(DInner);
            x_proj_weight = Layers.Parameter(empty(K, DtRank + 2 * dState, DInner, device: device).uniform_(-xb, xb));
            // dt_proj weight ~ U(±R^-1/2); bias = softplus⁻¹(Δ0) with Δ0 log-uniform in [dt_min, dt_max].
            double db = 1.0 / Math.Sqrt(DtRank);
            dt_projs_weight = Layers.Parameter(empty(K, DInner, DtRank, device: device).uniform_(-db, db));
            // Scalars held until the ops return, likewise (see Scalars); add's implicit alpha would be a temporary too.
            using var logSpan = (Math.Log(dtMax) - Math.Log(dtMin)).ToScalar();
            using var logMin = Math.Log(dtMin).ToScalar();
            using var floor = dtInitFloor.ToScalar();
            var dt = exp((rand(K, DInner, device: device) * logSpan).add(logMin, Scalars.One)).clamp(min: floor);
            dt_projs_bias = Layers.Parameter(dt.add(log(-expm1(-dt)), Scalars.One));
            // S4D-real: A = −(1..N) per channel, stored as its log; D skip = 1.
            A_logs = Layers.Parameter(log(ScalarOps.Arange(1, dState + 1, dtype: ScalarType.Float32, device: device)).unsqueeze(0).repeat(K * DInner, 1));
            Ds = Layers.Parameter(ones(K * DInner, device: device));
        }
        RegisterComponents();
    }

    /// <summary>B×H×W×d_model → B×H×W×d_model.</summary>
    public override Tensor forward(Tensor x) => Run(x, trace: false).Out;

    /// <summary>The forward with the merged sum and the scan's arguments and result (for parity checks).</summary>
    public Ss2dTrace Trace(Tensor x) => Run(x, trace: true);

    private Ss2dTrace Run(Tensor x, bool trace)
    {
        if (x.dim() != 4 || x.shape[3] != DModel)
            throw new ArgumentException($"SS2D expects B×H×W×{DModel} (channels last), got [{string.Join(", ", x.shape)}].");
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[1], w = x.shape[2], l = h * w, d = DInner, n = DState, r = DtRank;

        Tensor[] xz;
        using (Stages.Begin("ss2d.in_proj")) xz = in_proj.forward(x).chunk(2, -1);
        Tensor z, xc, xs;
        using (Stages.Begin("ss2d.conv_silu"))
        {
            z = nn.functional.silu(xz[1]);
            xc = nn.functional.silu(conv2d.forward(xz[0].permute(0, 3, 1, 2).contiguous()));    // b d h w
        }
        using (Stages.Begin("ss2d.cross_scan")) xs = CrossScan.Expand(xc);                       // b k d l

        Tensor u, delta, bs, cs;
        using (Stages.Begin("ss2d.projections"))
        {
            // Batched matmuls broadcast over b rather than einsum: einsum folds b into the GEMM's columns, which costs
            // a permuted copy of xs on the way in and of Δ on the way out (and a third when the scan wants Δ
            // contiguous); matmul reads xs in place and writes b k d l directly.
            var xDbl = matmul(x_proj_weight, xs);                                                // b k c l
            var parts = xDbl.split(new[] { r, n, n }, 2);
            var dts = matmul(dt_projs_weight, parts[0]);                                        // b k d l
            u = xs.reshape(b, K * d, l);
            delta = dts.reshape(b, K * d, l);
            bs = parts[1].contiguous();
            cs = parts[2].contiguous();
        }
        Tensor scanOut;
        using (Stages.Begin("ss2d.scan"))
            scanOut = SelectiveScan.Forward(u, delta, -exp(A_logs), bs, cs, Ds, z: null,
                                            deltaBias: dt_projs_bias.view(-1), deltaSoftplus: true, path: ScanPath);

        Tensor merged, outp;
        using (Stages.Begin("ss2d.merge")) merged = CrossScan.Merge(scanOut, h, w);
        using (Stages.Begin("ss2d.norm_gate_out_proj")) outp = out_proj.forward(out_norm.forward(merged) * z);
        var result = trace ? new Ss2dTrace(outp, merged, u, delta, bs, cs, scanOut) : new Ss2dTrace(outp, null!, null!, null!, null!, null!, null!);
        outp.MoveToOuterDisposeScope();
        if (trace) foreach (var t in new[] { merged, u, delta, bs, cs, scanOut }) t.MoveToOuterDisposeScope();
        return result;
    }
}
#pragma warning restore IDE1006
