using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>
/// Runs the C# module of one fixture kind: builds it from the manifest's <c>config</c> (no sizes hard-coded),
/// loads <c>weights.safetensors</c> strictly, feeds the manifest's inputs and returns every output by name.
/// Implementations are found by reflection; add one file per kind.
/// </summary>
internal interface IFixtureRunner
{
    /// <summary>The manifest <c>kind</c> this runner handles.</summary>
    string Kind { get; }

    /// <summary>Computes all of <see cref="FixtureManifest.Outputs"/>. <paramref name="io"/> holds the inputs.</summary>
    IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io);
}
