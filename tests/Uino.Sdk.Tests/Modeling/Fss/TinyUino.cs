using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Tests.Modeling.Fss;

/// <summary>Small UINO-FSS configurations and episodes for fast CPU tests (same code paths as the full model).</summary>
internal static class TinyUino
{
    public static UinoFssConfig Config(UinoVariant variant, int inputSize = 518) => new()
    {
        Backbone = new Dinov2Config("test-tiny", EmbedDim: 32, Depth: 4, NumHeads: 2),
        AdapterLayer = 2,
        Variant = variant,
        InputSize = inputSize,
        AdapterBottleneck = 32, AdapterInner = 16, AdapterFfn = 32, AdapterHeads = 2,
        SvpHidden = 8, SvpPrototype = 8,
        HyperChannels = 8, StateDim = 4, HeadWidth = 16,
        Decoder = new SamDecoderConfig
        {
            EmbedDim = 32, ImageEmbeddingSize = inputSize / 14, InputImageSize = inputSize, MlpDim = 64, NumHeads = 2,
            IouHeadHiddenDim = 32,
        },
    };

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
