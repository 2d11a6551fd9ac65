using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling.Dinov2;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>
/// Kind <c>dinov2</c>: builds <see cref="DinoVisionTransformer"/> from the manifest config (the official constructor
/// arguments), loads the official-key weights strictly and, per input image, returns every block's raw patch grid
/// (<c>imageN.blockL</c>), the final-normed patch grid (<c>last_norm</c>) and class token (<c>cls_norm</c>).
/// </summary>
internal sealed class Dinov2Runner : IFixtureRunner
{
    public string Kind => "dinov2";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var config = ReadConfig(fixture.Config, fixture.Name);
        using var model = new DinoVisionTransformer(config);
        model.eval();
        StateDict.Load(model, SafeTensors.Load(fixture.WeightsPath), fixture.WeightsPath);

        var allBlocks = Enumerable.Range(0, model.NumBlocks).ToList();
        var results = new Dictionary<string, Tensor>();
        foreach (var input in fixture.Inputs)
        {
            using var f = model.ForwardFeatures(io[input], allBlocks);
            for (var i = 0; i < allBlocks.Count; i++) results[$"{input}.block{i}"] = f.Blocks[i].alias();
            results[$"{input}.last_norm"] = f.PatchTokens.alias();
            results[$"{input}.cls_norm"] = f.ClsToken.alias();
        }
        return results;
    }

    // Every field of the manifest config maps onto Dinov2Config; an unknown one fails loudly rather than being ignored.
    private static Dinov2Config ReadConfig(JsonElement c, string name)
    {
        var known = new HashSet<string>
        {
            "img_size", "patch_size", "in_chans", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias", "proj_bias",
            "ffn_bias", "init_values", "block_chunks", "num_register_tokens", "interpolate_offset", "interpolate_antialias",
        };
        var unknown = c.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0) throw new InvalidOperationException($"{name}: unhandled dinov2 config field(s) {string.Join(", ", unknown)}.");

        int Int(string n, int d) => c.TryGetProperty(n, out var v) ? v.GetInt32() : d;
        double Dbl(string n, double d) => c.TryGetProperty(n, out var v) ? v.GetDouble() : d;
        bool Bool(string n, bool d) => c.TryGetProperty(n, out var v) ? v.GetBoolean() : d;
        double? InitValues() => c.TryGetProperty("init_values", out var v) && v.ValueKind != JsonValueKind.Null ? v.GetDouble() : null;

        return new Dinov2Config(
            name,
            EmbedDim: c.GetProperty("embed_dim").GetInt32(),
            Depth: c.GetProperty("depth").GetInt32(),
            NumHeads: c.GetProperty("num_heads").GetInt32(),
            // Defaults are the official DinoVisionTransformer constructor defaults.
            ImgSize: Int("img_size", 224),
            PatchSize: Int("patch_size", 16),
            InChans: Int("in_chans", 3),
            MlpRatio: Dbl("mlp_ratio", 4.0),
            QkvBias: Bool("qkv_bias", true),
            ProjBias: Bool("proj_bias", true),
            FfnBias: Bool("ffn_bias", true),
            InitValues: InitValues(),
            BlockChunks: Int("block_chunks", 1),
            NumRegisterTokens: Int("num_register_tokens", 0),
            InterpolateAntialias: Bool("interpolate_antialias", false),
            InterpolateOffset: Dbl("interpolate_offset", 0.1));
    }
}
