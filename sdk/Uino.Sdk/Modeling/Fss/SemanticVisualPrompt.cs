using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Semantic-aware visual prompt (SVP, Sec. IV-D1, Eq. 2–3): F' = conv(F) with a 1×1 and a 3×3 convolution, each
/// followed by layer normalisation; P_s = sine(MAP(F')), one sparse prompt token of SAM's width (256).
/// Widths 64 and 32 make the module 0.07M parameters for ViT-B, the paper's Comp* trainable count; the sine
/// encoding lifts the 32-d prototype to 256 (docs/design-choices.md).
/// </summary>
internal sealed class SemanticVisualPrompt : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Conv2d conv1;
    private readonly LayerNorm2d norm1;
    private readonly Conv2d conv2;
    private readonly LayerNorm2d norm2;
    private readonly SineEncoding sine;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(SemanticVisualPrompt))]
    public SemanticVisualPrompt(long encoderDim, long hiddenDim = 64, long prototypeDim = 32, long promptDim = 256,
                                Device? device = null)
        : base(nameof(SemanticVisualPrompt))
    {
        conv1 = Layers.Conv2d(encoderDim, hiddenDim, 1, device: device);
        norm1 = new LayerNorm2d(hiddenDim, device: device);
        conv2 = Layers.Conv2d(hiddenDim, prototypeDim, 3, padding: 1, device: device);
        norm2 = new LayerNorm2d(prototypeDim, device: device);
        sine = new SineEncoding(prototypeDim, promptDim, device: device);
        RegisterComponents();
    }

    /// <summary>Eq. 2: the reduced support feature map F' (K×prototypeDim×H×W).</summary>
    public Tensor Reduce(Tensor supportFeatures) => norm2.call(conv2.call(norm1.call(conv1.call(supportFeatures))));

    /// <summary>
    /// Eq. 3 per episode: <paramref name="supportFeatures"/> B×K×C×H×W (last DINOv2 layer of the K shots),
    /// <paramref name="masks"/> B×K×1×H×W on the same grid → the sparse prompt tokens B×1×256.
    /// </summary>
    public override Tensor forward(Tensor supportFeatures, Tensor masks)
    {
        using var scope = NewDisposeScope();
        long b = supportFeatures.shape[0], k = supportFeatures.shape[1];
        var reduced = Reduce(supportFeatures.flatten(0, 1));
        reduced = reduced.reshape(b, k, reduced.shape[1], reduced.shape[2], reduced.shape[3]);
        var prototype = Prototypes.MaskedAveragePool(reduced, masks);
        return sine.call(prototype).unsqueeze(1).MoveToOuterDisposeScope();
    }
}
