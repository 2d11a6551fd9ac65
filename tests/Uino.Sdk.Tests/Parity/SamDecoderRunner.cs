using System.Text.Json;
using Uino.Checkpoints;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>
/// sam-decoder fixtures: SAM's prompt encoder + mask decoder built from the manifest config, official keys
/// prompt_encoder.* and mask_decoder.*. Outputs (see the manifest notes):
/// <list type="bullet">
/// <item>points_boxes_mask.{sparse,dense}: prompt encoder on the points, the box and the mask input;</item>
/// <item>points_only.{sparse,dense}: points alone (so a padding point is appended, dense = no_mask_embed);</item>
/// <item>dense_pe: get_dense_pe();</item>
/// <item>decoder.multimask{1,0}.{masks,iou}: mask decoder on the points_boxes_mask prompts, multimask on/off;</item>
/// <item>custom_sparse.{dense,masks,iou}: our own tokens as sparse prompt with the mask-only dense prompt, single mask.</item>
/// </list>
/// </summary>
internal sealed class SamDecoderRunner : IFixtureRunner
{
    public string Kind => "sam-decoder";

    public IReadOnlyDictionary<string, Tensor> Run(FixtureManifest fixture, IReadOnlyDictionary<string, Tensor> io)
    {
        var config = ReadConfig(fixture.Config);
        using var model = SamModel.CreateDecoderOnly(config);
        var weights = SafeTensors.Load(fixture.WeightsPath);
        try { StateDict.Load(model, weights, fixture.WeightsPath); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        model.eval();

        var image = io["image_embeddings"];
        var points = (io["point_coords"], io["point_labels"]);
        var boxes = io["boxes"];
        var mask = io["mask_input"];
        var pe = model.PromptEncoder;
        var dec = model.MaskDecoder;

        var r = new Dictionary<string, Tensor>();
        var (pbmSparse, pbmDense) = pe.Forward(points, boxes, mask);
        r["points_boxes_mask.sparse"] = pbmSparse;
        r["points_boxes_mask.dense"] = pbmDense;
        var (poSparse, poDense) = pe.Forward(points, null, null);
        r["points_only.sparse"] = poSparse;
        r["points_only.dense"] = poDense.clone(); // a view of no_mask_embed; keep it valid after the model is gone
        var densePe = pe.GetDensePe();
        r["dense_pe"] = densePe;
        (r["decoder.multimask1.masks"], r["decoder.multimask1.iou"]) = dec.Forward(image, densePe, pbmSparse, pbmDense, true);
        (r["decoder.multimask0.masks"], r["decoder.multimask0.iou"]) = dec.Forward(image, densePe, pbmSparse, pbmDense, false);
        var (_, csDense) = pe.Forward(null, null, mask);
        r["custom_sparse.dense"] = csDense;
        (r["custom_sparse.masks"], r["custom_sparse.iou"]) = dec.Forward(image, densePe, io["custom_sparse"], csDense, false);
        return r;
    }

    /// <summary>Every field from the manifest; a missing one is an error, not a default.</summary>
    internal static SamDecoderConfig ReadConfig(JsonElement c)
    {
        int I(string n) => c.TryGetProperty(n, out var v) ? Scalar(v)
            : throw new InvalidOperationException($"sam-decoder manifest config lacks '{n}'.");
        return new SamDecoderConfig
        {
            EmbedDim = I("embed_dim"),
            ImageEmbeddingSize = I("image_embedding_size"),
            InputImageSize = I("input_image_size"),
            MaskInChans = I("mask_in_chans"),
            NumMultimaskOutputs = I("num_multimask_outputs"),
            TransformerDepth = I("transformer_depth"),
            MlpDim = I("mlp_dim"),
            NumHeads = I("num_heads"),
            IouHeadDepth = I("iou_head_depth"),
            IouHeadHiddenDim = I("iou_head_hidden_dim"),
        };
    }

    // Sizes may be written as n or [n, n] (the official tuples); only square sizes are supported.
    private static int Scalar(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number) return v.GetInt32();
        var items = v.EnumerateArray().Select(e => e.GetInt32()).Distinct().ToList();
        return items.Count == 1 ? items[0] : throw new NotSupportedException($"Non-square size {v} is not supported.");
    }
}
