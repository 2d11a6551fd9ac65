using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>Kind <c>selective-scan</c>: Mamba's reference scan on grouped B/C with bias+softplus, and plain B/C with z.</summary>
internal sealed class SelectiveScanRunner : IFixtureRunner
{
    public string Kind => "selective-scan";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io) =>
        Run(io, ScanPath.Auto);

    /// <summary>Both fixture outputs computed with one scan implementation (the unit tests check every path).</summary>
    internal static Dictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> io, ScanPath path) => new()
    {
        ["grouped.out"] = SelectiveScan.Forward(io["u"], io["delta"], io["A"], io["B"], io["C"], io["D"],
                                                z: null, deltaBias: io["delta_bias"], deltaSoftplus: true, path: path),
        ["plain_z.out"] = SelectiveScan.Forward(io["u"], io["delta"], io["A"], io["B3"], io["C3"], io["D"],
                                                z: io["z"], deltaBias: null, deltaSoftplus: false, path: path),
    };
}
