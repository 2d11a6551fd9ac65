using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>Kind <c>vmamba-ss2d</c>: SS2D v0 on every input xI, with its merged sum and scan arguments.</summary>
internal sealed class Ss2dRunner : IFixtureRunner
{
    public string Kind => "vmamba-ss2d";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var c = fixture.Config;
        RequireV0(c, "forward_type", "initialize");
        var ss2d = new Ss2d(c.GetProperty("d_model").GetInt64(), c.GetProperty("d_state").GetInt64(),
                            c.GetProperty("ssm_ratio").GetDouble(), DtRank(c.GetProperty("dt_rank")));
        StateDict.Load(ss2d, SafeTensors.Load(fixture.WeightsPath), fixture.WeightsPath);
        ss2d.eval();
        var result = new Dictionary<string, Tensor>();
        foreach (var input in fixture.Inputs)
        {
            var t = ss2d.Trace(io[input]);
            result[$"{input}.out"] = t.Out;
            result[$"{input}.merged"] = t.Merged;
            result[$"{input}.scan.u"] = t.ScanU;
            result[$"{input}.scan.delta"] = t.ScanDelta;
            result[$"{input}.scan.B"] = t.ScanB;
            result[$"{input}.scan.C"] = t.ScanC;
            result[$"{input}.scan.out"] = t.ScanOut;
        }
        return result;
    }

    /// <summary>dt_rank as in VMamba: a number, or "auto" (null here: ceil(d_model/16)).</summary>
    internal static long? DtRank(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && e.GetString() == "auto" ? null : e.GetInt64();

    /// <summary>Only the v0 variant is implemented; any other config must fail loudly, not run as v0.</summary>
    internal static void RequireV0(JsonElement c, params string[] keys)
    {
        foreach (var k in keys)
            if (c.TryGetProperty(k, out var v) && v.GetString() != "v0")
                throw new NotSupportedException($"Only VMamba v0 is implemented; config {k} = {v}.");
    }
}
