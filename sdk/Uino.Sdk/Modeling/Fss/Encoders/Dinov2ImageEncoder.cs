using Uino.Modeling.Dinov2;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss.Encoders;

/// <summary>
/// DINOv2 as UINO-FSS uses it (Sec. IV-B): the raw tokens of block l_low for the adapter, and the last l blocks
/// through the final LayerNorm for the prompts (the last one is DINOv2's own normed output), one pass for both.
/// </summary>
internal sealed class Dinov2ImageEncoder : ImageEncoder
{
    private readonly DinoVisionTransformer vit;
    private readonly int adapterLayer;
    private readonly int[] correlated;

    public Dinov2ImageEncoder(Dinov2Config config, int adapterLayer, int correlationLayers, Device? device)
    {
        vit = new DinoVisionTransformer(config, device);
        this.adapterLayer = adapterLayer;
        correlated = Enumerable.Range(config.Depth - correlationLayers, correlationLayers).ToArray();
    }

    public override nn.Module Module => vit;
    public override long LowChannels => vit.EmbedDim;
    public override long[] LayerChannels => correlated.Select(_ => (long)vit.EmbedDim).ToArray();

    public override EncodedImages Encode(Tensor images, bool withLow)
    {
        using var scope = NewDisposeScope();
        var raw = new List<int>(correlated[..^1]);
        if (withLow) raw.Add(adapterLayer - 1);
        using var features = vit.ForwardFeatures(images, raw);
        var layers = new Tensor[correlated.Length];
        for (int i = 0; i < correlated.Length - 1; i++)
            layers[i] = vit.norm.call(features.Blocks[i].permute(0, 2, 3, 1)).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
        layers[^1] = features.PatchTokens.alias().MoveToOuterDisposeScope();
        var low = withLow ? features.Blocks[^1].alias().MoveToOuterDisposeScope() : null;
        return new EncodedImages(low, layers);
    }
}
