using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Uino.Training.Data;
using Uino.Training.Settings;

namespace Uino.Cli.Commands;

/// <summary>
/// The typed options the commands share. Each value type has one parser, in the library (<see cref="Variants"/>,
/// <see cref="ModelPreset"/>, <see cref="DensePrompts"/>, <see cref="TrainingDatasets.ParseSplit"/>); here it becomes
/// a System.CommandLine parser, so a bad value is the command line's one-line parse error.
/// </summary>
internal static class CliOptions
{
    public const string VariantHelpName = "full|comp|comp*|cp4d";

    /// <summary>A variant option (full, comp, comp*/comp-star, cp4d) with a default.</summary>
    public static Option<UinoVariant> Variant(string name, string description, UinoVariant @default) => new(name)
    {
        Description = description, HelpName = VariantHelpName, DefaultValueFactory = _ => @default,
        CustomParser = r => r.Tokens.Count == 0 ? @default : ParseVariant(r) ?? @default,
    };

    /// <summary>A variant option whose absence means something (null when not given).</summary>
    public static Option<UinoVariant?> OptionalVariant(string name, string description) => new(name)
    {
        Description = description, HelpName = VariantHelpName,
        CustomParser = r => r.Tokens.Count == 0 ? null : ParseVariant(r),
    };

    private static UinoVariant? ParseVariant(ArgumentResult r)
    {
        var text = r.Tokens[^1].Value;
        if (Variants.TryParse(text, out var v)) return v;
        r.AddError(Variants.UnknownMessage(text));
        return null;
    }

    /// <summary>A model-preset option with a default; <paramref name="paperOnly"/> accepts only the DINOv2 presets.</summary>
    public static Option<ModelPreset> Preset(string name, string description, ModelPreset @default, bool paperOnly, params string[] aliases) => new(name, aliases)
    {
        Description = description, HelpName = "preset", DefaultValueFactory = _ => @default,
        CustomParser = r => r.Tokens.Count == 0 ? @default : ParsePreset(r, paperOnly) ?? @default,
    };

    /// <summary>A model-preset option whose absence means something (null when not given).</summary>
    public static Option<ModelPreset?> OptionalPreset(string name, string description, bool paperOnly, params string[] aliases) => new(name, aliases)
    {
        Description = description, HelpName = "preset",
        CustomParser = r => r.Tokens.Count == 0 ? null : ParsePreset(r, paperOnly),
    };

    private static ModelPreset? ParsePreset(ArgumentResult r, bool paperOnly)
    {
        var text = r.Tokens[^1].Value;
        if (ModelPreset.TryParse(text, out var p) && (p.IsPaperModel || !paperOnly)) return p;
        r.AddError(ModelPreset.UnknownMessage(text, paperOnly));
        return null;
    }

    /// <summary>--dense-prompt: model (as trained), pcs or both.</summary>
    public static Option<DensePrompt> DensePromptOption(string description) => new("--dense-prompt")
    {
        Description = description, HelpName = "model|pcs|both", DefaultValueFactory = _ => Uino.Training.Settings.DensePrompt.Model,
        CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return Uino.Training.Settings.DensePrompt.Model;
            var text = r.Tokens[^1].Value;
            if (DensePrompts.TryParse(text, out var p)) return p;
            r.AddError(DensePrompts.UnknownMessage(text));
            return default;
        },
    };

    /// <summary>--split: train/base or val/novel (default val: the novel classes).</summary>
    public static Option<FewShotSplit> Split(string description) => new("--split")
    {
        Description = description, HelpName = "train|base|val|novel", DefaultValueFactory = _ => FewShotSplit.Val,
        CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return FewShotSplit.Val;
            var text = r.Tokens[^1].Value;
            try { return TrainingDatasets.ParseSplit(text); }
            catch (DatasetException e) { r.AddError(e.Message); return default; }
        },
    };

    /// <summary>Comma-separated positive integers ("126,252,518"; also as separate tokens).</summary>
    public static Option<int[]> Sizes(string name, string description, int[] @default) => new(name)
    {
        Description = description, HelpName = "N,N,…", DefaultValueFactory = _ => @default,
        CustomParser = r => r.Tokens.Count == 0 ? @default : ParseSizes(r) ?? @default,
    };

    private static int[]? ParseSizes(ArgumentResult r)
    {
        var values = new List<int>();
        foreach (var part in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v <= 0)
            {
                r.AddError($"'{part}' is not a positive size in pixels");
                return null;
            }
            values.Add(v);
        }
        return [.. values];
    }
}
