using TorchSharp;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Registers the official checkpoints' architectures in <see cref="ArchitectureCatalog"/>: DINOv2
/// <c>dinov2_vit{s,b,l}14[_reg4]</c> and SAM <c>sam_vit_{b,l,h}</c>. Their key/shape tables are read off the C#
/// modules built on the meta device (no memory, no initialisation), whose state_dict names are the official keys.
/// </summary>
internal static class OfficialArchitectures
{
    private static int registered;

    /// <summary>Idempotent; called by the catalog before any look-up.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        foreach (var preset in Dinov2Config.Presets)
        {
            var config = preset;
            ArchitectureCatalog.Register("dinov2_" + config.Name, () => Shapes(() => new DinoVisionTransformer(config, META)));
        }
        foreach (var name in new[] { "sam_vit_b", "sam_vit_l", "sam_vit_h" })
        {
            var config = SamConfig.Preset(name);
            ArchitectureCatalog.Register(name, () => Shapes(() => SamModel.Create(config, META)));
        }
    }

    private static IReadOnlyDictionary<string, long[]> Shapes(Func<nn.Module> build)
    {
        using var module = build();
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
    }
}
