using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>sam-image-encoder fixtures: SAM's ViT image encoder from the manifest config, keys image_encoder.*.</summary>
internal sealed class SamImageEncoderRunner : IFixtureRunner
{
    public string Kind => "sam-image-encoder";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var c = fixture.Config;
        JsonElement P(string n) => c.TryGetProperty(n, out var v) ? v
            : throw new InvalidOperationException($"sam-image-encoder manifest config lacks '{n}'.");
        var config = new SamEncoderConfig
        {
            ImgSize = P("img_size").GetInt32(),
            PatchSize = P("patch_size").GetInt32(),
            InChans = P("in_chans").GetInt32(),
            EmbedDim = P("embed_dim").GetInt32(),
            Depth = P("depth").GetInt32(),
            NumHeads = P("num_heads").GetInt32(),
            MlpRatio = P("mlp_ratio").GetDouble(),
            OutChans = P("out_chans").GetInt32(),
            QkvBias = P("qkv_bias").GetBoolean(),
            UseRelPos = P("use_rel_pos").GetBoolean(),
            UseAbsPos = !c.TryGetProperty("use_abs_pos", out var abs) || abs.GetBoolean(),
            WindowSize = P("window_size").GetInt32(),
            GlobalAttnIndexes = P("global_attn_indexes").EnumerateArray().Select(e => e.GetInt32()).ToList(),
            // The notes state eps 1e-6 (build_sam's norm_layer); a manifest may override it.
            LayerNormEps = c.TryGetProperty("layer_norm_eps", out var eps) ? eps.GetDouble() : 1e-6,
        };
        using var encoder = new ImageEncoderViT(config);
        var weights = SafeTensors.Load(fixture.WeightsPath);
        try { StateDict.Load(encoder, weights, fixture.WeightsPath, prefix: "image_encoder."); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        encoder.eval();
        return new Dictionary<string, Tensor> { ["embedding"] = encoder.forward(io["image"]) };
    }
}
