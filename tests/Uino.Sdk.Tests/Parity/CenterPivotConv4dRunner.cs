using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>Kind <c>hsnet-cp4d</c>: one CenterPivotConv4d per config entry, weights under "&lt;entry&gt;.".</summary>
internal sealed class CenterPivotConv4dRunner : IFixtureRunner
{
    public string Kind => "hsnet-cp4d";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var weights = SafeTensors.Load(fixture.WeightsPath);
        var result = new Dictionary<string, Tensor>();
        foreach (var entry in fixture.Config.EnumerateObject())
        {
            var conv = Build(entry.Value);
            StateDict.Load(conv, weights, fixture.WeightsPath, prefix: entry.Name + ".");
            conv.eval();
            result[$"{entry.Name}.out"] = conv.forward(io[fixture.Inputs.Single()]);
        }
        return result;
    }

    internal static CenterPivotConv4d Build(JsonElement c)
    {
        long[] Four(string k) => c.GetProperty(k).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        return new CenterPivotConv4d(c.GetProperty("in_channels").GetInt64(), c.GetProperty("out_channels").GetInt64(),
                                     Four("kernel_size"), Four("stride"), Four("padding"), c.GetProperty("bias").GetBoolean());
    }
}
