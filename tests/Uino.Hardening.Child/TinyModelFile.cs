using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Hardening.Child;

/// <summary>A tiny random-weight Uino model (UinoFssPresets.TestTiny, Full, encoder included): real format and code paths.</summary>
public static class TinyModelFile
{
    /// <summary>Default input size: 4×4 tokens.</summary>
    public const int InputSize = 56;

    public static void Save(string path, int seed, int inputSize = InputSize)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        using var model = new UinoFss(UinoFssPresets.TestTiny(UinoVariant.Full, inputSize));
        UinoModelFile.Save(path, model, includeEncoder: true);
    }
}
