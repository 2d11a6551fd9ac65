using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Bottleneck Adapter (BA, Sec. IV-C1): maps the patch tokens of DINOv2 layer l_low (B×C×h×w) to a SAM-like image
/// embedding (B×256×h×w). Footnote 3's convolutions 1×1 C→256, 3×3 256→256, 1×1 256→128 (each followed by a
/// LayerNorm2d as in SAM's neck), two standard Transformer self-attention blocks at C' = 128 with FFN 512, then a
/// pointwise convolution 128→256. Trained by MSE against SAM's image encoder (stage 1), frozen in stage 2.
/// </summary>
internal sealed class BottleneckAdapter : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Sequential reduce;
    private readonly ModuleList<Dinov2.Block> blocks;
    private readonly Conv2d expand;
#pragma warning restore IDE1006

    public long InputDim { get; }
    public long OutputDim { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(BottleneckAdapter))]
    public BottleneckAdapter(long inputDim, long bottleneckDim = 256, long innerDim = 128, long ffnDim = 512,
                             long numHeads = 8, long outputDim = 256, int numBlocks = 2, Device? device = null)
        : base(nameof(BottleneckAdapter))
    {
        InputDim = inputDim;
        OutputDim = outputDim;
        reduce = nn.Sequential(
            Layers.Conv2d(inputDim, bottleneckDim, 1, device: device), new LayerNorm2d(bottleneckDim, device: device),
            Layers.Conv2d(bottleneckDim, bottleneckDim, 3, padding: 1, device: device), new LayerNorm2d(bottleneckDim, device: device),
            Layers.Conv2d(bottleneckDim, innerDim, 1, device: device), new LayerNorm2d(innerDim, device: device));
        blocks = nn.ModuleList(Enumerable.Range(0, numBlocks)
            .Select(_ => new Dinov2.Block(innerDim, numHeads, (double)ffnDim / innerDim, qkvBias: true, projBias: true,
                                          ffnBias: true, initValues: null, device)).ToArray());
        expand = Layers.Conv2d(innerDim, outputDim, 1, device: device);
        RegisterComponents();
    }

    /// <summary>B×C×h×w (DINOv2 layer l_low) → B×256×h×w.</summary>
    public override Tensor forward(Tensor lowFeatures)
    {
        if (lowFeatures.dim() != 4 || lowFeatures.shape[1] != InputDim)
            throw new ArgumentException($"The adapter expects B×{InputDim}×h×w features, got [{string.Join(", ", lowFeatures.shape)}].");
        using var scope = NewDisposeScope();
        var x = reduce.call(lowFeatures);
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var tokens = x.flatten(2).transpose(1, 2);                 // B×hw×C'
        foreach (var block in blocks) tokens = block.call(tokens);
        x = tokens.transpose(1, 2).reshape(b, c, h, w);
        return expand.call(x).MoveToOuterDisposeScope();
    }
}
