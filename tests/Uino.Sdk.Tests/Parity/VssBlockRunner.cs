using Uino.Checkpoints;
using Uino.Modeling.Mamba;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>Kind <c>vmamba-vss-block</c>: VSSBlock v0 (no MLP, pre-norm) with its SS2D branch output and merged sum.</summary>
internal sealed class VssBlockRunner : IFixtureRunner
{
    public string Kind => "vmamba-vss-block";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var c = fixture.Config;
        Ss2dRunner.RequireV0(c, "forward_type", "ssm_init");
        if (c.GetProperty("mlp_ratio").GetDouble() != 0 || c.GetProperty("post_norm").GetBoolean())
            throw new NotSupportedException("VssBlock implements mlp_ratio 0 and post_norm false only.");
        var block = new VssBlock(c.GetProperty("hidden_dim").GetInt64(), c.GetProperty("ssm_d_state").GetInt64(),
                                 c.GetProperty("ssm_ratio").GetDouble(), Ss2dRunner.DtRank(c.GetProperty("ssm_dt_rank")));
        StateDict.Load(block, SafeTensors.Load(fixture.WeightsPath), fixture.WeightsPath);
        block.eval();
        var result = new Dictionary<string, Tensor>();
        foreach (var input in fixture.Inputs)
        {
            var (outp, opOut, trace) = block.Trace(io[input]);
            result[$"{input}.out"] = outp;
            result[$"{input}.op_out"] = opOut;
            result[$"{input}.merged"] = trace.Merged;
        }
        return result;
    }
}
