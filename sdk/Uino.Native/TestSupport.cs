using System.Runtime.CompilerServices;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

[assembly: InternalsVisibleTo("Uino.Native.Tests")]

namespace Uino.Native;

/// <summary>
/// Test support for tests/Uino.Native.Tests (the C test host's data generator): a tiny random Uino model file with
/// the real format and code paths. Nothing exported reaches it, so NativeAOT trims it out of libuino.so.
/// </summary>
internal static class TestSupport
{
    public static void WriteTinyModel(string path, int inputSize, ulong seed)
    {
        manual_seed((long)seed);
        var config = new UinoFssConfig
        {
            Backbone = new Dinov2Config("test-tiny", EmbedDim: 32, Depth: 4, NumHeads: 2),
            AdapterLayer = 2,
            Variant = UinoVariant.Full,
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
        using var model = new UinoFss(config);
        UinoModelFile.Save(path, model, includeEncoder: true);
    }
}
