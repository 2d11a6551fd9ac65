using System.Text.Json;

namespace Uino.Tests.Parity;

/// <summary>
/// One reference fixture folder (see ../shared/fixtures/README.md): manifest.json, weights.safetensors
/// (optional: official checkpoint key names) and io.safetensors (inputs and expected outputs).
/// </summary>
internal sealed record FixtureManifest(string Directory, string Kind, string Name, JsonElement Config,
                                       IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
                                       double Atol, double Rtol, string Notes)
{
    public string WeightsPath => Path.Combine(Directory, "weights.safetensors");
    public string IoPath => Path.Combine(Directory, "io.safetensors");

    public static FixtureManifest Read(string directory)
    {
        var path = Path.Combine(directory, "manifest.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        string Str(string n) => r.TryGetProperty(n, out var v) ? v.GetString() ?? "" : "";
        List<string> List(string n) => r.GetProperty(n).EnumerateArray().Select(e => e.GetString()!).ToList();
        return new FixtureManifest(directory, Str("kind"), Str("name"),
            r.TryGetProperty("config", out var c) ? c.Clone() : default,
            List("inputs"), List("outputs"), r.GetProperty("atol").GetDouble(), r.GetProperty("rtol").GetDouble(), Str("notes"));
    }

    /// <summary>Every folder under <paramref name="root"/> (recursively) that holds a manifest.json.</summary>
    public static IEnumerable<FixtureManifest> Discover(string root) =>
        System.IO.Directory.EnumerateFiles(root, "manifest.json", SearchOption.AllDirectories)
            .Select(Path.GetDirectoryName).OrderBy(d => d, StringComparer.Ordinal).Select(d => Read(d!));
}
