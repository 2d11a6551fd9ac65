using System.Runtime.CompilerServices;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
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
        var config = UinoFssPresets.TestTiny(UinoVariant.Full, inputSize);
        using var model = new UinoFss(config);
        UinoModelFile.Save(path, model, includeEncoder: true);
    }

    /// <summary>
    /// True when the embedded default model holds the segmenter only and its encoder is the ImageNet ResNet-18, whose
    /// weights libuino must find on disk (ResNet18.onnx) when a session is created.
    /// </summary>
    public static bool DefaultModelLoadsResNetFile()
    {
        using var stream = typeof(ModelLoader).Assembly.GetManifestResourceStream(ModelLoader.DefaultResourceName);
        if (stream is null) return false;
        var (tensors, metadata) = SafeTensors.Load(stream, ModelLoader.DefaultResourceName);
        try
        {
            return UinoModelFile.ReadConfig(metadata, ModelLoader.DefaultResourceName).ResNet is not null &&
                   !tensors.Keys.Any(k => k.StartsWith("encoder.", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
