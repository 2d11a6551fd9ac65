using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Uino.Modeling.Fss;

namespace Uino.Native;

/// <summary>
/// Compile-time JSON metadata for the model file's config. Uino.Sdk's <see cref="UinoModelFile"/> reads
/// <c>uino.config</c> with reflection-based System.Text.Json, which NativeAOT cannot run for value-typed members
/// (JsonPropertyInfo&lt;UinoVariant&gt;, &lt;int&gt;, ... have no native code; the non-generic
/// JsonStringEnumConverter needs MakeGenericType). Before the first model load, this points the SDK's options at
/// source-generated metadata and an AOT-safe enum converter with the same kebab-case naming. The durable fix is a
/// JsonSerializerContext inside Uino.Sdk; then this file goes away.
/// </summary>
[JsonSerializable(typeof(UinoFssConfig))]
internal sealed partial class UinoNativeJsonContext : JsonSerializerContext;

internal sealed class KebabVariantConverter() : JsonStringEnumConverter<UinoVariant>(JsonNamingPolicy.KebabCaseLower);

internal static class JsonAot
{
    private static readonly object Gate = new();
    private static bool done;

    /// <summary>Idempotent; called before every session creation.</summary>
    internal static void Configure()
    {
        lock (Gate)
        {
            if (done) return;
            done = true;
            Apply(UinoModelFile.Json);
        }
    }

    private static void Apply(JsonSerializerOptions options)
    {
        if (options.IsReadOnly) return;
        for (int i = options.Converters.Count - 1; i >= 0; i--)
            if (options.Converters[i] is JsonStringEnumConverter) options.Converters.RemoveAt(i);
        options.Converters.Add(new KebabVariantConverter());
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(UinoNativeJsonContext.Default, options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver());
    }
}
