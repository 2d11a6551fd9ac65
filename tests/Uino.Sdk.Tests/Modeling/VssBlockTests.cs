using NUnit.Framework;
using Uino.Modeling.Mamba;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling;

public class VssBlockTests
{
    [Test]
    public void KeysAreTheOfficialOnes()
    {
        using var scope = NewDisposeScope();
        var keys = new VssBlock(16, 4, 2.0, 2).state_dict().Keys;
        Assert.That(keys, Does.Contain("norm.weight").And.Contain("norm.bias").And.Contain("op.A_logs").And.Contain("op.out_proj.weight"));
        Assert.That(keys.Count, Is.EqualTo(13));
    }

    [Test]
    public void OutputIsInputPlusTheSs2dBranchOfTheNormalisedInput()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var block = new VssBlock(16, 4, 2.0);
        var x = randn(2, 3, 5, 16) * 3 + 1;
        using var _ = no_grad();
        var norm = nn.functional.layer_norm(x, new long[] { 16 }, eps: 1e-5);   // fresh LayerNorm: weight 1, bias 0
        TensorAssert.AllClose(block.forward(x), x + block.Op.forward(norm), 1e-6, 1e-6, "x + op(norm(x))");
        var (outp, opOut, trace) = block.Trace(x);
        TensorAssert.AllClose(outp, x + opOut, 1e-6, 1e-6, "trace");
        Assert.That(trace.Merged.shape, Is.EqualTo(new long[] { 2, 3, 5, 32 }));
    }
}
