using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Sam;

/// <summary>Image → patch tokens (image_encoder.PatchEmbed): a strided conv, output channels-last B×H×W×C.</summary>
internal sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    // Field name mirrors the official checkpoint key image_encoder.patch_embed.proj.*.
    private readonly Conv2d proj;
    private readonly long inChans;

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(PatchEmbed))]
    public PatchEmbed(long patchSize, long inChans, long embedDim, Device? device = null) : base(nameof(PatchEmbed))
    {
        this.inChans = inChans;
        proj = Layers.Conv2d(inChans, embedDim, kernel_size: patchSize, stride: patchSize, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != inChans)
            throw new ArgumentException($"Images must be B×{inChans}×H×W, got [{string.Join(", ", x.shape)}].", nameof(x));
        using var y = proj.forward(x);
        return y.permute(0, 2, 3, 1);
    }
}
