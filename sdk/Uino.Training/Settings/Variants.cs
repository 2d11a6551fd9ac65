namespace Uino.Training.Settings;

/// <summary>The one parser of <see cref="UinoVariant"/> names (train, eval, bench and inspect all use it).</summary>
public static class Variants
{
    /// <summary>The names <see cref="Parse"/> accepts, as error messages list them.</summary>
    public const string Expected = "full, comp, comp* (or comp-star) or cp4d";

    /// <summary>full, comp, comp* / comp-star / compstar, cp4d (any case, surrounding blanks ignored).</summary>
    public static bool TryParse(string? text, out UinoVariant variant)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "full": variant = UinoVariant.Full; return true;
            case "comp": variant = UinoVariant.Comp; return true;
            case "comp*" or "compstar" or "comp-star": variant = UinoVariant.CompStar; return true;
            case "cp4d": variant = UinoVariant.Cp4d; return true;
            default: variant = default; return false;
        }
    }

    /// <summary><see cref="TryParse"/>, or an <see cref="ArgumentException"/> that names the value and the choices.</summary>
    public static UinoVariant Parse(string text) =>
        TryParse(text, out var v) ? v : throw new ArgumentException(UnknownMessage(text));

    /// <summary>"Unknown variant 'x'; expected full, comp, comp* (or comp-star) or cp4d".</summary>
    public static string UnknownMessage(string? text) => $"Unknown variant '{text}'; expected {Expected}";

    /// <summary>The kebab-case name: full, comp, comp-star, cp4d.</summary>
    public static string Name(UinoVariant variant) => variant switch
    {
        UinoVariant.CompStar => "comp-star",
        var v => v.ToString().ToLowerInvariant(),
    };
}
