using System.Runtime.CompilerServices;
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
}
