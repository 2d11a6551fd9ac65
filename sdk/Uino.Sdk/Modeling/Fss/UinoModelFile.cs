using System.Text.Json;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The Uino model file: safetensors whose tensors are the <see cref="UinoFss"/> state_dict under its documented
/// keys (<c>adapter.*</c>, <c>svp.*</c>, <c>mhcm.*</c>, <c>dense_head.*</c>, <c>prompt_encoder.*</c>,
/// <c>mask_decoder.*</c>, and <c>encoder.*</c> when the encoder is included) and whose metadata holds
/// <c>uino.format</c> = "1" and <c>uino.config</c>, the <see cref="UinoFssConfig"/> as JSON. A file without the
/// encoder (a segmenter trained on an official DINOv2) is completed by the official DINOv2 checkpoint at load.
/// </summary>
internal static class UinoModelFile
{
    public const string FormatKey = "uino.format";
    public const string ConfigKey = "uino.config";
    public const string EncoderKey = "uino.encoder";
    public const string FormatVersion = "1";
    private const string EncoderPrefix = "encoder.";

    /// <summary>The options of <c>uino.config</c> (source-generated metadata: <see cref="UinoModelJson"/>).</summary>
    internal static JsonSerializerOptions Json => UinoModelJson.Default.Options;

    /// <summary>Writes the model (atomically); the DINOv2 encoder only when <paramref name="includeEncoder"/>.</summary>
    public static void Save(string path, UinoFss model, bool includeEncoder, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var metadata = new Dictionary<string, string>(extraMetadata ?? new Dictionary<string, string>())
        {
            [FormatKey] = FormatVersion,
            [ConfigKey] = JsonSerializer.Serialize(model.Config, UinoModelJson.Default.UinoFssConfig),
            [EncoderKey] = includeEncoder ? "included" : "external",
        };
        var tensors = model.state_dict()
            .Where(kv => includeEncoder || !kv.Key.StartsWith(EncoderPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Reads only the configuration of a model file.</summary>
    public static UinoFssConfig ReadConfig(string path) => ParseConfig(SafeTensors.ReadHeader(path).Metadata, path);

    /// <summary>The configuration in metadata already read from <paramref name="source"/> (refused as at load).</summary>
    public static UinoFssConfig ReadConfig(IReadOnlyDictionary<string, string> metadata, string source) => ParseConfig(metadata, source);

    /// <summary>
    /// Builds the network from a model file. <paramref name="encoderCheckpoint"/> (official DINOv2 .pth or
    /// safetensors) is required when the file does not include the encoder; <paramref name="samCheckpoint"/>, when
    /// given, replaces the prompt encoder and mask decoder with SAM's (the stage-2 initialisation).
    /// </summary>
    public static UinoFss Load(string path, string? encoderCheckpoint = null, string? samCheckpoint = null)
    {
        using var stream = CheckpointPaths.OpenRead(path);
        return Load(stream, path, encoderCheckpoint, samCheckpoint);
    }

    /// <inheritdoc cref="Load(string, string?, string?)"/>
    public static UinoFss Load(Stream stream, string source, string? encoderCheckpoint = null, string? samCheckpoint = null)
    {
        var (tensors, metadata) = SafeTensors.Load(stream, source);
        var extra = new List<Dictionary<string, Tensor>>();
        try
        {
            var config = ParseConfig(metadata, source);
            bool hasEncoder = tensors.Keys.Any(k => k.StartsWith(EncoderPrefix, StringComparison.Ordinal));
            if (!hasEncoder)
            {
                var weights = ExternalEncoder(config, source, encoderCheckpoint);
                extra.Add(weights);
                foreach (var (k, v) in weights) tensors[EncoderPrefix + k] = v;
            }
            if (samCheckpoint is not null)
            {
                var sam = CheckpointFile.Load(samCheckpoint);
                extra.Add(sam);
                var parts = sam.Where(kv => kv.Key.StartsWith("prompt_encoder.", StringComparison.Ordinal) ||
                                            kv.Key.StartsWith("mask_decoder.", StringComparison.Ordinal)).ToList();
                if (parts.Count == 0)
                    throw new CheckpointException($"'{samCheckpoint}' has no prompt_encoder.* or mask_decoder.* tensors: not a SAM checkpoint.");
                foreach (var (k, v) in parts) tensors[k] = v;
            }
            CheckShapes(config, tensors, source, encoderCheckpoint, samCheckpoint);
            var model = new UinoFss(config);
            try { StateDict.Load(model, tensors, source); }
            catch { model.Dispose(); throw; }
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
            foreach (var d in extra) foreach (var t in d.Values) t.Dispose();
        }
    }

    /// <summary>
    /// The encoder of a segmenter-only file: the official DINOv2 checkpoint the caller gives, or for a ResNet the
    /// ImageNet weights shipped by the NuGet package (found beside the SDK; <paramref name="encoderCheckpoint"/> overrides).
    /// </summary>
    private static Dictionary<string, Tensor> ExternalEncoder(UinoFssConfig config, string source, string? encoderCheckpoint)
    {
        if (config.ResNet is { } resnet) return resnet.LoadWeights(encoderCheckpoint);
        if (encoderCheckpoint is null)
            throw new CheckpointException($"Model file '{source}' holds the segmenter only; give the DINOv2 checkpoint it was trained on ({config.Vit.CheckpointFileName}).");
        return CheckpointFile.Load(encoderCheckpoint);
    }

    /// <summary>
    /// Compares the tensors' names and shapes with those of the network the configuration declares, built on the
    /// meta device (no memory, no initialisation) before the real one: a configuration declaring huge widths is
    /// refused at no cost instead of after allocating and initialising all of them.
    /// </summary>
    private static void CheckShapes(UinoFssConfig config, Dictionary<string, Tensor> tensors, string source,
                                    string? encoderCheckpoint, string? samCheckpoint)
    {
        // Every block, layer and mask output has tensors of its own: more of them than there are tensors cannot
        // fit, and would make even the meta build long.
        var d = config.Decoder;
        foreach (var (what, count) in new[] { ("encoder depth", config.EncoderDepth), ("decoder transformer depth", d.TransformerDepth),
                                              ("IoU head depth", d.IouHeadDepth), ("number of mask outputs", d.NumMultimaskOutputs) })
            if (count > tensors.Count)
                throw new CheckpointException($"Model file '{source}' declares a {what} of {count}; its {tensors.Count} tensors cannot hold that many.");
        Dictionary<string, long[]> declared;
        using (var meta = new UinoFss(config, META))
            declared = meta.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var problems = KeyComparison.Compare(tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape), declared).Problems(strict: true);
        if (problems.Count == 0) return;
        var with = string.Join("", new[] { encoderCheckpoint, samCheckpoint }.OfType<string>().Select(c => $" with '{c}'"));
        throw new CheckpointException($"Model file '{source}'{with} does not fit the network its configuration declares: {string.Join("; ", problems)}.");
    }

    private static UinoFssConfig ParseConfig(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(FormatKey, out var format))
            throw new CheckpointException($"'{source}' is a safetensors file but not a Uino model (no '{FormatKey}' metadata).");
        if (format != FormatVersion)
            throw new CheckpointException($"'{source}' is Uino model format {format}; this SDK reads format {FormatVersion}.");
        if (!metadata.TryGetValue(ConfigKey, out var json))
            throw new CheckpointException($"'{source}' has no '{ConfigKey}' metadata.");
        try
        {
            var config = JsonSerializer.Deserialize(json, UinoModelJson.Default.UinoFssConfig)
                         ?? throw new CheckpointException($"'{source}': empty model configuration.");
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new CheckpointException($"'{source}' has an invalid model configuration: {e.Message}", e);
        }
    }
}
