using System.Text.Json;
using System.Text.Json.Serialization;

namespace Uino.Modeling.Fss;

/// <summary>
/// Compile-time JSON metadata for the <c>uino.config</c> of a Uino model file (<see cref="UinoModelFile"/>).
/// Source-generated rather than reflection-based so that the same code runs under NativeAOT (libuino.so), where
/// System.Text.Json's reflection path has no native code for value-typed members and the non-generic
/// <see cref="JsonStringEnumConverter"/> needs <c>MakeGenericType</c>. The format is unchanged: property names as
/// declared (PascalCase), read-only properties (<see cref="UinoFssConfig.Grid"/>) left out, the variant as its
/// kebab-case name (<c>"full"</c>, <c>"comp-star"</c>), as in every model file written so far.
/// </summary>
[JsonSourceGenerationOptions(IgnoreReadOnlyProperties = true, WriteIndented = false,
                             Converters = [typeof(KebabCaseVariantConverter)])]
[JsonSerializable(typeof(UinoFssConfig))]
internal sealed partial class UinoModelJson : JsonSerializerContext;

/// <summary><see cref="UinoVariant"/> as kebab-case strings, AOT-safe (generic, no reflection).</summary>
internal sealed class KebabCaseVariantConverter() : JsonStringEnumConverter<UinoVariant>(JsonNamingPolicy.KebabCaseLower);
