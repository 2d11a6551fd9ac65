using static TorchSharp.torch;

namespace Uino.Hardening.Support;

/// <summary>TorchSharp's live-tensor count once the garbage collector has finalised the unreachable tensors (which frees them).</summary>
internal static class LiveTensors
{
    public static long Count()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return Tensor.TotalCount;
    }
}
