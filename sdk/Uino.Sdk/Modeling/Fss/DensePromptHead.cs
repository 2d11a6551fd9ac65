using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Dense prompt generation (Eq. 10–11): V_2d = AvgPool(V_fg^(L)) + AvgPool(Ṽ') (done by the caller) is upsampled
/// and projected to the prior-mask logits at the prompt encoder's mask-input size (4× the embedding grid).
/// Proj follows HSNet's decoder (3×3 convs with ReLU, narrowing to one channel); it runs at 2× the grid and the
/// last upsampling precedes a light 3×3 + 1×1 pair, which keeps it cheap. Widths bring the Mamba dense prompt
/// generator (MHCM + this head) to the paper's 0.5M (docs/design-choices.md). Sigmoid of the output is P_prior.
/// </summary>
internal sealed class DensePromptHead : nn.Module<Tensor, long, long, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly Conv2d conv4;
    private readonly Conv2d proj;
#pragma warning restore IDE1006

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(DensePromptHead))]
    public DensePromptHead(long inChannels = 64, long width = 128, Device? device = null) : base(nameof(DensePromptHead))
    {
        conv1 = Layers.Conv2d(inChannels, width, 3, padding: 1, device: device);
        conv2 = Layers.Conv2d(width, width, 3, padding: 1, device: device);
        conv3 = Layers.Conv2d(width, inChannels, 3, padding: 1, device: device);
        conv4 = Layers.Conv2d(inChannels, inChannels / 2, 3, padding: 1, device: device);
        proj = Layers.Conv2d(inChannels / 2, 1, 1, device: device);
        RegisterComponents();
    }

    /// <summary>V_2d B×l'×H×W → prior-mask logits B×1×maskHeight×maskWidth (Eq. 11 before the sigmoid).</summary>
    public override Tensor forward(Tensor v2d, long maskHeight, long maskWidth)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.interpolate(v2d, new[] { (maskHeight + 1) / 2, (maskWidth + 1) / 2 },
            mode: InterpolationMode.Bilinear, align_corners: false);
        x = nn.functional.relu(conv1.call(x));
        x = nn.functional.relu(conv2.call(x));
        x = nn.functional.relu(conv3.call(x));
        x = nn.functional.interpolate(x, new[] { maskHeight, maskWidth }, mode: InterpolationMode.Bilinear, align_corners: false);
        x = nn.functional.relu(conv4.call(x));
        return proj.call(x).MoveToOuterDisposeScope();
    }
}
