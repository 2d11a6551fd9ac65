using Uino.Modeling.ResNet;
using ResNetBackbone = Uino.Modeling.ResNet.ResNet;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss.Encoders;

/// <summary>
/// A frozen ImageNet ResNet as UINO-FSS's encoder (<see cref="ResNetEncoderConfig"/>): the adapter reads the last
/// block of the adapter stage; the last l blocks of stages 3–4 are the correlated layers, as HSNet correlates a
/// ResNet's blocks. Stage-4 maps are upsampled ×2 (bilinear) onto the stage-3 grid so that all correlated layers share
/// one grid, as a ViT's do. One pass over the backbone serves both.
/// </summary>
internal sealed class ResNetImageEncoder : ImageEncoder
{
    private readonly ResNetBackbone net;
    private readonly ResNetEncoderConfig config;
    private readonly (int Stage, int Block)[] correlated;

    public ResNetImageEncoder(ResNetEncoderConfig config, int correlationLayers, Device? device)
    {
        this.config = config;
        net = new ResNetBackbone(config.Backbone, device);
        correlated = Enumerable.Range(0, config.Blocks[2]).Select(b => (3, b))
            .Concat(Enumerable.Range(0, config.Blocks[3]).Select(b => (4, b)))
            .TakeLast(correlationLayers).ToArray();
    }

    public override nn.Module Module => net;
    public override long LowChannels => config.Channels[config.AdapterStage - 1];
    public override long[] LayerChannels => correlated.Select(c => (long)config.Channels[c.Stage - 1]).ToArray();

    public override EncodedImages Encode(Tensor images, bool withLow)
    {
        using var scope = NewDisposeScope();
        using var features = net.ForwardFeatures(ResNetBackbone.FromNormalizedRgb(images), lastStage: 4);
        long h = features.Stages[2][0].shape[2], w = features.Stages[2][0].shape[3];
        var layers = correlated.Select(c =>
        {
            var map = features.Stages[c.Stage - 1][c.Block];
            var onGrid = map.shape[2] == h && map.shape[3] == w
                ? map.alias()
                : nn.functional.interpolate(map, new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
            return onGrid.MoveToOuterDisposeScope();
        }).ToArray();
        var low = withLow ? features.Stages[config.AdapterStage - 1][^1].alias().MoveToOuterDisposeScope() : null;
        return new EncodedImages(low, layers);
    }
}
