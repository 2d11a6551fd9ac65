namespace Uino.Training.Settings;

/// <summary>Which dense prompt an evaluation runs.</summary>
public enum DensePrompt
{
    /// <summary>The model as trained (the Mamba dense prompt where it has one).</summary>
    Model,
    /// <summary>Ablation: the prototype-cosine prior instead of the Mamba dense prompt.</summary>
    Pcs,
    /// <summary>Both on the same episodes, with the paired difference.</summary>
    Both,
}

/// <summary>The one parser of <see cref="DensePrompt"/> names.</summary>
public static class DensePrompts
{
    public const string Expected = "model, pcs or both";

    /// <summary>model (or mamba), pcs, both.</summary>
    public static bool TryParse(string? text, out DensePrompt prompt)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "model" or "mamba": prompt = DensePrompt.Model; return true;
            case "pcs": prompt = DensePrompt.Pcs; return true;
            case "both": prompt = DensePrompt.Both; return true;
            default: prompt = default; return false;
        }
    }

    public static DensePrompt Parse(string text) =>
        TryParse(text, out var p) ? p : throw new ArgumentException(UnknownMessage(text));

    public static string UnknownMessage(string? text) => $"unknown dense prompt '{text}'; expected {Expected}";
}
