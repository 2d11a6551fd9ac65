using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Hierarchical Global Modeling Block (Fig. 4, Eq. 9). (1) Local: 3×3 convolutions over the query slicing V_a and
/// the support slicing V_b of the 4D volume, summed (exactly HSNet's center-pivot 4D convolution), raising the
/// channels l → l', then GroupNorm + ReLU as in HSNet's building block. (2) Global: the volume is cut into
/// non-overlapping k_q×k_q×k_s×k_s blocks, each flattened to a k_q²×k_s² 2D patch and processed by a VMamba VSS
/// block (four-direction selective scan); the patches are put back (<see cref="PatchPartition"/>). Without the VSS this is the CP4D ablation
/// of Table VI.
/// </summary>
internal sealed class Hgmb : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly CenterPivotConv4d conv;
    private readonly GroupNorm norm;
    private readonly VssBlock? vss;
#pragma warning restore IDE1006

    public long QueryPartition { get; }
    public long SupportPartition { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(Hgmb))]
    public Hgmb(long inChannels, long outChannels, long queryPartition, long supportPartition, long dState, bool withVss = true,
                Device? device = null)
        : base(nameof(Hgmb))
    {
        if (queryPartition < 1 || supportPartition < 1) throw new ArgumentException("Partition sizes must be positive.");
        QueryPartition = queryPartition;
        SupportPartition = supportPartition;
        conv = new CenterPivotConv4d(inChannels, outChannels, new long[] { 3, 3, 3, 3 }, new long[] { 1, 1, 1, 1 },
                                     new long[] { 1, 1, 1, 1 }, bias: true, device: device);
        norm = Layers.GroupNorm(4, outChannels, device: device);
        using (no_grad())
        {
            // TorchSharp 0.107's GroupNorm leaves its bias uninitialised (garbage, sometimes NaN): set PyTorch's init.
            norm.weight!.fill_(Scalars.One);
            norm.bias!.zero_();
        }
        vss = withVss ? new VssBlock(outChannels, dState, device: device) : null;
        RegisterComponents();
    }

    /// <summary>B×l×Hq×Wq×Hs×Ws → B×l'×Hq×Wq×Hs×Ws.</summary>
    public override Tensor forward(Tensor volume)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        using (Stages.Begin("hgmb.cp4d")) x = conv.call(volume);
        using (Stages.Begin("hgmb.groupnorm_relu")) x = nn.functional.relu(norm.call(x));
        if (vss is not null) x = PatchwiseVss(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Patches per VSS call. The patches are independent, and SS2D's intermediates are ~40× a patch's size (four
    /// directions of a 2·l'-wide inner map, its Δ, the scan output, the merge): all 400 patches of a ViT-B 518 volume
    /// at once held ~1 GB of them. Chunks of 64 keep that to ~150 MB without changing any result (inference only).
    /// </summary>
    public const long PatchChunk = 64;

    private Tensor PatchwiseVss(Tensor x)
    {
        var partition = PatchPartition.Of(x, QueryPartition, SupportPartition);
        Tensor patches, y;
        using (Stages.Begin("hgmb.partition")) patches = partition.Cut(x);
        using (Stages.Begin("hgmb.vss"))
        {
            long total = patches.shape[0];
            // With gradients every chunk's intermediates are kept for the backward pass anyway: one call.
            if (total <= PatchChunk || is_grad_enabled()) y = vss!.call(patches);
            else
            {
                y = empty_like(patches);
                for (long start = 0; start < total; start += PatchChunk)
                {
                    using var chunkScope = NewDisposeScope();
                    long len = Math.Min(PatchChunk, total - start);
                    y.narrow(0, start, len).copy_(vss!.call(patches.narrow(0, start, len)));
                }
            }
        }
        using (Stages.Begin("hgmb.unpartition")) return partition.Join(y);
    }
}
