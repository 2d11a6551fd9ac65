using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// Image to patch tokens (dinov2/layers/patch_embed.py): a stride = kernel = patch conv, then B×C×h×w →
/// B×(h·w)×C in row-major (h, w) order. The official norm is Identity for every DINOv2 model.
/// </summary>
internal sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names mirror the official checkpoint keys (patch_embed.proj.weight).
    public readonly Conv2d proj;
#pragma warning restore IDE1006

    public int PatchSize { get; }

    /// <summary>Patches of the img_size × img_size training grid: the pos_embed table size.</summary>
    public long NumPatches { get; }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(PatchEmbed))]
    public PatchEmbed(int imgSize, int patchSize, int inChans, long embedDim, Device? device = null) : base(nameof(PatchEmbed))
    {
        PatchSize = patchSize;
        NumPatches = (long)(imgSize / patchSize) * (imgSize / patchSize);
        proj = Layers.Conv2d(inChans, embedDim, kernel_size: patchSize, stride: patchSize, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var y = proj.call(x);
        return y.flatten(2).transpose(1, 2);
    }
}
