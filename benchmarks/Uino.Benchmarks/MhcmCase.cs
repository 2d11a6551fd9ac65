using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// One MHCM size to time: the embedded model's (224 px → 16×16 query grid, support pooled to 4×4, l' 8, d_state 4)
/// or the paper's ViT-B at 518 px (37×37 query grid, support 8×8, l' 64, d_state 12). Partitions 4/4 in both.
/// </summary>
internal sealed record MhcmCase(string Name, long Grid, long SupportGrid, long Hidden, long DState, long Partition = 4, long Layers = 3)
{
    public static readonly MhcmCase Embedded = new("embedded-224", Grid: 16, SupportGrid: 4, Hidden: 8, DState: 4);
    public static readonly MhcmCase VitB518 = new("vitb14-518", Grid: 37, SupportGrid: 8, Hidden: 64, DState: 12);

    public static MhcmCase ByName(string name) => name switch
    {
        "embedded" or "embedded-224" => Embedded,
        "vitb518" or "vitb14-518" => VitB518,
        _ => throw new ArgumentException($"Unknown MHCM case '{name}' (embedded, vitb518)."),
    };

    /// <summary>The module with random weights (timing does not depend on their values), detached from autograd.</summary>
    public MambaHyperCorrelation Build()
    {
        manual_seed(0);
        var m = new MambaHyperCorrelation(Layers, Hidden, Partition, Partition, DState, withVss: true);
        m.eval();
        foreach (var p in m.parameters()) p.requires_grad = false;
        return m;
    }

    /// <summary>A correlation volume of this size, 1×l×Hq×Wq×Hs×Ws, values in the cosine range.</summary>
    public Tensor Volume() => rand(new long[] { 1, Layers, Grid, Grid, SupportGrid, SupportGrid }) * 2 - 1;
}
