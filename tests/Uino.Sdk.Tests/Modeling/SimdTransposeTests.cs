using NUnit.Framework;
using Uino.Modeling.Mamba;

namespace Uino.Tests.Modeling;

/// <summary>The scan's 8×8 transposes against the index arithmetic they replace.</summary>
public unsafe class SimdTransposeTests
{
    [TestCase(8)]
    [TestCase(37)]     // whole blocks plus a 5-step tail
    [TestCase(3)]      // tail only
    [TestCase(256)]
    public void RowsToLanesPutsStepTOfRowIIntoLaneIAndLanesToRowsUndoesIt(int len)
    {
        const int stride = 300;   // rows further apart than they are long, as a row of a larger tensor
        var rows = new float[8 * stride];
        for (int i = 0; i < rows.Length; i++) rows[i] = i * 0.5f - 7f;
        var lanes = new float[8 * len];
        var back = new float[8 * stride];
        fixed (float* r = rows, l = lanes, b = back)
        {
            SimdTranspose.RowsToLanes(r, stride, l, len);
            SimdTranspose.LanesToRows(l, b, stride, len);
        }
        for (int t = 0; t < len; t++)
            for (int i = 0; i < 8; i++)
            {
                Assert.That(lanes[t * 8 + i], Is.EqualTo(rows[i * stride + t]), $"lane {i} of step {t}");
                Assert.That(back[i * stride + t], Is.EqualTo(rows[i * stride + t]), $"round trip, row {i} step {t}");
            }
        Assert.That(back[len], Is.EqualTo(0f), "nothing written past a row's length");
    }
}
