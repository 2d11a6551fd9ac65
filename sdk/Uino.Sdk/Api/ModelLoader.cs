using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Api;

/// <summary>
/// Turns <see cref="UinoSessionOptions"/> into a ready network: validates every option first (cheap errors before
/// a large file is read), loads the file or the embedded default, applies the variant and input-size overrides and
/// maps every failure to a <see cref="UinoException"/>.
/// </summary>
internal static class ModelLoader
{
    /// <summary>Manifest name of the embedded default model (see Uino.Sdk.csproj).</summary>
    public const string DefaultResourceName = "Uino.Models.Default.safetensors";

    /// <summary>True when this build of Uino.Sdk carries the default model.</summary>
    public static bool HasEmbeddedDefault(string resourceName = DefaultResourceName) =>
        typeof(ModelLoader).Assembly.GetManifestResourceInfo(resourceName) != null;

    /// <summary>Parses <see cref="UinoSessionOptions.Device"/>; refuses CUDA in a build without it.</summary>
    public static Device ParseDevice(string? device)
    {
        var text = (device ?? "cpu").Trim().ToLowerInvariant();
        if (text == "cpu") return CPU;
        int index = 0;
        bool isCuda = text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) &&
                                         int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, null, out index));
        if (!isCuda)
            throw new UinoArgumentException($"Unknown device '{device}'; expected \"cpu\", \"cuda\" or \"cuda:N\".");
        if (!cuda.is_available())
            throw new UinoArgumentException($"Device '{device}' needs CUDA, but CUDA is not available in this build of Uino (it ships TorchSharp-cpu) or on this machine; use \"cpu\".");
        if (index >= cuda.device_count())
            throw new UinoArgumentException($"Device '{device}': there are only {cuda.device_count()} CUDA device(s).");
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>Checks the options that need no file.</summary>
    public static void ValidateOptions(UinoSessionOptions options)
    {
        if (options.Threads < 0)
            throw new UinoArgumentException($"Threads is {options.Threads}; use 0 for the library default or a positive count.");
        // Which multiple a size must be depends on the model's encoder (14 for DINOv2, 32 for a ResNet): checked at load.
        if (options.InputSize is int size && size <= 0)
            throw new UinoArgumentException($"Input size {size} must be positive: a multiple of 14 for a DINOv2 model, of 32 for a ResNet one (the default model's is 288).");
        CheckFile(options.ModelPath, "model file");
        CheckFile(options.EncoderCheckpoint, "DINOv2 checkpoint");
        CheckFile(options.SamCheckpoint, "SAM checkpoint");
    }

    private static void CheckFile(string? path, string what)
    {
        if (path is null) return;
        if (string.IsNullOrWhiteSpace(path)) throw new UinoArgumentException($"The {what} path is empty.");
        if (Directory.Exists(path)) throw new UinoArgumentException($"The {what} '{path}' is a directory, not a file.");
        if (!File.Exists(path)) throw new UinoNotFoundException($"The {what} '{path}' does not exist.", path);
    }

    /// <summary>The one-line error for a model path that names some other kind of file (an image, a text file, a .pth).</summary>
    internal static string NotAModelFile(string path, string reason) =>
        $"'{path}' is not a Uino model file: it is not a safetensors file ({reason}). Give a Uino model file " +
        "(a .safetensors written by `uino train` or `uino convert`), or no model path (no --model) for the embedded default model.";

    /// <summary>Loads the model the options name, on <paramref name="device"/>, in evaluation mode.</summary>
    public static UinoFss Load(UinoSessionOptions options, Device device, string resourceName = DefaultResourceName)
    {
        ValidateOptions(options);
        UinoFss model;
        try
        {
            if (options.ModelPath is { } path)
            {
                model = UinoModelFile.Load(path, options.EncoderCheckpoint, options.SamCheckpoint);
            }
            else
            {
                using var stream = typeof(ModelLoader).Assembly.GetManifestResourceStream(resourceName)
                    ?? throw new UinoNotFoundException(
                        "This build of Uino.Sdk has no embedded default model (it is embedded when sdk/models/uino-default.safetensors " +
                        "exists at build time); set UinoSessionOptions.ModelPath to a Uino model file.", null);
                model = UinoModelFile.Load(stream, $"embedded default model ({resourceName})", options.EncoderCheckpoint, options.SamCheckpoint);
            }
        }
        catch (CheckpointException e) when (e.NotThisFormat is { } reason && options.ModelPath is { } path)
        {
            throw new UinoModelException(NotAModelFile(path, reason), e);
        }
        catch (CheckpointException e)
        {
            throw new UinoModelException(e.Message, e);
        }
        catch (Exception e) when (e is ExternalException or ArgumentException or OverflowException)
        {
            // The file's configuration is parsed and validated, but a value the validation lets through (found by
            // fuzzing: a layer width of -2^31) fails inside libtorch or a module constructor; it is still the file's fault.
            throw new UinoModelException($"The model file '{options.ModelPath ?? "(embedded default)"}' describes a network that cannot be built: {e.Message}", e);
        }
        try
        {
            model = ApplyOverrides(model, options);
            model.to(device);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rebuilds the network when the options ask for another variant or input size: the weights do not depend on
    /// the input size, and a Comp network's weights are a subset of a Full one's.
    /// </summary>
    internal static UinoFss ApplyOverrides(UinoFss model, UinoSessionOptions options)
    {
        var config = model.Config;
        var target = config;
        if (options.Variant is UinoVariant variant && variant != config.Variant)
        {
            bool fromDense = config.Variant is UinoVariant.Full or UinoVariant.Cp4d;
            bool toPrototype = variant is UinoVariant.Comp or UinoVariant.CompStar;
            if (!toPrototype || (!fromDense && config.Variant is not (UinoVariant.Comp or UinoVariant.CompStar)))
                throw new UinoArgumentException(
                    $"The model is a {config.Variant} network; it cannot run as {variant} (its file has no weights for that variant's dense prompt generator). " +
                    "Overrides allowed: Comp <-> CompStar, and Full/Cp4d -> Comp/CompStar.");
            target = target with { Variant = variant };
        }
        if (options.InputSize is int size && size != config.InputSize)
        {
            if (size % config.InputMultiple != 0)
                throw new UinoArgumentException($"Input size {size} must be a multiple of {config.InputMultiple} for this model ({config.EncoderName}).");
            target = target.WithInputSize(size);
        }
        if (ReferenceEquals(target, config)) return model;

        UinoFss rebuilt;
        try { rebuilt = new UinoFss(target); }
        catch (ArgumentException e) { throw new UinoArgumentException($"The model cannot run with these options: {e.Message}", e); }
        try
        {
            var expected = rebuilt.state_dict();
            var weights = model.state_dict().Where(kv => expected.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            StateDict.Load(rebuilt, weights, "the loaded model");
        }
        catch (CheckpointException e)
        {
            rebuilt.Dispose();
            throw new UinoModelException(e.Message, e);
        }
        model.Dispose();
        return rebuilt;
    }
}
