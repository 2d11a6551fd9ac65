using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Mamba-HyperCorrelation Module (MHCM, Fig. 4): two stacked HGMBs, l = 3 → l' → l'. With the VSS blocks
/// removed it is the CP4D ablation (Table VI).
/// </summary>
internal sealed class MambaHyperCorrelation : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly ModuleList<Hgmb> blocks;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(MambaHyperCorrelation))]
    public MambaHyperCorrelation(long layers, long hidden, long queryPartition, long supportPartition, long dState, bool withVss,
                                 Device? device = null)
        : base(nameof(MambaHyperCorrelation))
    {
        blocks = nn.ModuleList(
            new Hgmb(layers, hidden, queryPartition, supportPartition, dState, withVss, device),
            new Hgmb(hidden, hidden, queryPartition, supportPartition, dState, withVss, device));
        RegisterComponents();
    }

    /// <summary>V (B×l×Hq×Wq×Hs×Ws) → Ṽ' (B×l'×Hq×Wq×Hs×Ws), Eq. 9 applied twice.</summary>
    public override Tensor forward(Tensor volume)
    {
        var x = volume;
        foreach (var block in blocks)
        {
            var next = block.call(x);
            if (!ReferenceEquals(x, volume)) x.Dispose();
            x = next;
        }
        return x;
    }
}
