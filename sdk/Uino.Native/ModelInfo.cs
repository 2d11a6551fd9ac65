using static TorchSharp.torch;

namespace Uino.Native;

/// <summary>
/// A summary of a loaded network's state_dict: its tensor count and the sum of every |value| in float64. The C
/// test compares what libuino (NativeAOT) sees with what the JIT-compiled .NET API sees for the same model file:
/// TorchSharp registers submodules and parameters by reflecting over module fields, which trimming could silently
/// break (fewer tensors, or weights left at their random init).
/// </summary>
internal readonly record struct ModelInfo(long StateTensors, double AbsSum)
{
    public static ModelInfo Of(UinoSession session)
    {
        var model = session.Model;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var state = model.state_dict();
        double sum = 0;
        foreach (var (_, t) in state) sum += t.to(ScalarType.Float64).abs().sum().item<double>();
        return new ModelInfo(state.Count, sum);
    }
}
