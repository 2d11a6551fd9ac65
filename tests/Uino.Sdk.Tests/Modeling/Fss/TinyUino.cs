using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>Small UINO-FSS configurations and episodes for fast CPU tests (same code paths as the full model).</summary>
internal static class TinyUino
{
    public static UinoFssConfig Config(UinoVariant variant, int inputSize = 518) => UinoFssPresets.TestTiny(variant, inputSize);

    /// <summary>Support images Bs×K×3×S×S, masks Bs×K×S×S with a square object, and queries B×3×S×S.</summary>
    public static (Tensor Support, Tensor Masks, Tensor Query) Episode(int inputSize, long shots = 1, long batch = 1, long seed = 0)
    {
        using var g = new Generator((ulong)seed);
        var support = randn(new long[] { batch, shots, 3, inputSize, inputSize }, generator: g);
        var masks = zeros(batch, shots, inputSize, inputSize);
        masks[.., .., (inputSize / 4)..(inputSize / 2), (inputSize / 3)..(3 * inputSize / 4)] = 1;
        var query = randn(new long[] { batch, 3, inputSize, inputSize }, generator: g);
        return (support, masks, query);
    }
}
