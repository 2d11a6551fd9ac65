using static TorchSharp.torch;

namespace Uino.Modeling.Fss.Encoders;

/// <summary>
/// The frozen image encoder of UINO-FSS (Fig. 3, left) seen from the segmenter: which layers of the backbone feed
/// the bottleneck adapter (the "low" layer l_low) and which are correlated by the prompt generators (the last l).
/// DINOv2 is the paper's encoder; a pretrained ResNet takes its place where no DINOv2 weights are available. Freezing
/// is <c>requires_grad</c> on the backbone's parameters, not a no-grad region here: the one forward serves training,
/// evaluation and inference alike.
/// </summary>
internal abstract class ImageEncoder
{
    /// <summary>The backbone module (its state-dict keys are <c>encoder.*</c> of the model file).</summary>
    public abstract nn.Module Module { get; }

    /// <summary>Channels of the adapter's input.</summary>
    public abstract long LowChannels { get; }

    /// <summary>Channels of each correlated layer, in order; the last is the semantic layer (SVP, PCS).</summary>
    public abstract long[] LayerChannels { get; }

    /// <summary>
    /// Encodes B×3×S×S images (RGB, normalised with ImageNet mean/std, as <c>Preprocessing</c> makes them): the
    /// adapter's input (when <paramref name="withLow"/>) and the correlated layers, all on the correlation grid.
    /// </summary>
    public abstract EncodedImages Encode(Tensor images, bool withLow);

    /// <summary>The encoder <paramref name="config"/> declares.</summary>
    public static ImageEncoder Create(UinoFssConfig config, Device? device) =>
        config.ResNet is { } resnet ? new ResNetImageEncoder(resnet, config.CorrelationLayers, device)
                                    : new Dinov2ImageEncoder(config.Vit, config.AdapterLayer, config.CorrelationLayers, device);
}

/// <summary>What <see cref="ImageEncoder.Encode"/> gives; the caller owns the tensors.</summary>
/// <param name="Low">The adapter's input B×C_low×h×w, or null when not asked for.</param>
/// <param name="Layers">The correlated layers, each B×C_i×Hc×Wc on the correlation grid; the last is the semantic layer.</param>
internal sealed record EncodedImages(Tensor? Low, Tensor[] Layers) : IDisposable
{
    public Tensor Semantic => Layers[^1];

    public void Dispose()
    {
        Low?.Dispose();
        foreach (var t in Layers) t.Dispose();
    }
}
