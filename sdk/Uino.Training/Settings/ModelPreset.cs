using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;

namespace Uino.Training.Settings;

/// <summary>
/// A named UINO-FSS network preset: the paper models on a DINOv2 backbone (vits14, vitb14, vitl14, optionally _reg4)
/// or the small ones (resnet18, embedded, tiny). Parsed once by <see cref="Parse"/>; <see cref="Config"/> builds the
/// configuration through <see cref="UinoFssPresets.ByName"/>.
/// </summary>
public readonly record struct ModelPreset
{
    private static readonly string[] Small = ["resnet18", "embedded", "tiny"];

    /// <summary>The names <see cref="Parse"/> accepts, as error messages list them.</summary>
    public const string Expected = "vits14, vitb14, vitl14 (optionally _reg4), resnet18, embedded or tiny";

    /// <summary>The paper presets' names, as error messages list them.</summary>
    public const string ExpectedPaper = "vits14, vitb14 or vitl14 (optionally _reg4)";

    /// <summary>ViT-B/14, the paper's default backbone.</summary>
    public static ModelPreset VitB14 { get; } = new("vitb14");

    private readonly string? _name;

    private ModelPreset(string name) => _name = name;

    /// <summary>The canonical name: vitb14, vitl14_reg4, resnet18, … (vitb14 for <c>default</c>).</summary>
    public string Name => _name ?? "vitb14";

    /// <summary>True for the paper models (a DINOv2 backbone, <see cref="UinoFssConfig.Preset"/>).</summary>
    public bool IsPaperModel => !Small.Contains(Name);

    public static bool TryParse(string? text, out ModelPreset preset)
    {
        var key = (text ?? "").Trim().ToLowerInvariant();
        preset = default;
        if (key.Length == 0) return false;
        if (Small.Contains(key)) { preset = new ModelPreset(key); return true; }
        Dinov2Config backbone;
        try { backbone = Dinov2Config.FromName(key); }
        catch (ArgumentException) { return false; }
        if (backbone.EmbedDim is not (384 or 768 or 1024)) return false;          // no UINO-FSS preset (e.g. ViT-g)
        preset = new ModelPreset(backbone.Name);
        return true;
    }

    /// <summary><see cref="TryParse"/>, or an <see cref="ArgumentException"/> that names the value and the choices.</summary>
    public static ModelPreset Parse(string text) =>
        TryParse(text, out var p) ? p : throw new ArgumentException(UnknownMessage(text, paperOnly: false));

    /// <summary>"Unknown model preset 'x'; expected …" (the paper presets only when <paramref name="paperOnly"/>).</summary>
    public static string UnknownMessage(string? text, bool paperOnly) =>
        $"Unknown model preset '{text}'; expected {(paperOnly ? ExpectedPaper : Expected)}";

    /// <summary>The preset's configuration for <paramref name="variant"/>; the input size applies to the paper models (the small ones keep theirs).</summary>
    internal UinoFssConfig Config(UinoVariant variant, int inputSize = 518) => UinoFssPresets.ByName(Name, variant, inputSize);

    public override string ToString() => Name;
}
