using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Uino.Training.Evaluation;

namespace Uino.Cli.Commands;

/// <summary>What <c>uino eval</c> prints: a text summary, or JSON written by <see cref="JsonSerializer"/> from records.</summary>
internal static class EvalOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static double Round2(double x) => Math.Round(x, 2);

    // ---- the standard protocol (--dataset) ----

    public static string ToText(EvaluationResult r)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{r.Dataset} fold {r.Fold} {r.Split}, {r.Shots}-shot, {r.Episodes} episodes, dense prompt {r.DensePrompt}: mIoU {r.MeanIoU:F2}  FB-IoU {r.FbIoU:F2}  ({r.Seconds:F1}s)");
        if (r.VersusPcs is not { } c) return line;
        return line + Environment.NewLine + string.Create(CultureInfo.InvariantCulture,
            $"same episodes, dense prompt pcs: mIoU {c.Pcs.MeanIoU:F2}  FB-IoU {c.Pcs.FbIoU:F2}  ({c.Pcs.Seconds:F1}s)") + Environment.NewLine +
            string.Create(CultureInfo.InvariantCulture,
            $"{r.DensePrompt} minus pcs: {c.Lead.Difference:+0.00;-0.00} mIoU (paired bootstrap 95% interval {c.Lead.Lower95:+0.00;-0.00} to {c.Lead.Upper95:+0.00;-0.00}, {c.Lead.Resamples} resamples)");
    }

    /// <summary>{"dataset":…, "shots":…, "episodes":…, "miou":…, "fbiou":…, then fold, split, dense_prompt, seconds, class_iou;
    /// with <c>--dense-prompt both</c> also "pcs":{miou, fbiou, class_iou} and "miou_minus_pcs":{difference, ci95:[lo, hi], resamples}.</summary>
    public static string ToJson(EvaluationResult r)
    {
        var c = r.VersusPcs;
        return JsonSerializer.Serialize(new DatasetJson(
            r.Dataset, r.Shots, r.Episodes, Round2(r.MeanIoU), Round2(r.FbIoU), r.Fold, r.Split, r.DensePrompt, Math.Round(r.Seconds, 1), ClassIoU(r),
            c is null ? null : new DatasetPriorJson(Round2(c.Pcs.MeanIoU), Round2(c.Pcs.FbIoU), ClassIoU(c.Pcs)),
            c is null ? null : Lead(c.Lead)), JsonOptions);
    }

    private static Dictionary<string, double> ClassIoU(EvaluationResult r) =>
        r.ClassIoU.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => Round2(kv.Value));

    private static LeadJson Lead(MeanIoUDifference d) => new(Round2(d.Difference), [Round2(d.Lower95), Round2(d.Upper95)], d.Resamples);

    private sealed record DatasetJson(
        [property: JsonPropertyName("dataset")] string Dataset,
        [property: JsonPropertyName("shots")] int Shots,
        [property: JsonPropertyName("episodes")] int Episodes,
        [property: JsonPropertyName("miou")] double MeanIoU,
        [property: JsonPropertyName("fbiou")] double FbIoU,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("dense_prompt")] string DensePrompt,
        [property: JsonPropertyName("seconds")] double Seconds,
        [property: JsonPropertyName("class_iou")] Dictionary<string, double> ClassIoU,
        [property: JsonPropertyName("pcs")] DatasetPriorJson? Pcs,
        [property: JsonPropertyName("miou_minus_pcs")] LeadJson? Lead);

    private sealed record DatasetPriorJson(
        [property: JsonPropertyName("miou")] double MeanIoU,
        [property: JsonPropertyName("fbiou")] double FbIoU,
        [property: JsonPropertyName("class_iou")] Dictionary<string, double> ClassIoU);

    private sealed record LeadJson(
        [property: JsonPropertyName("difference")] double Difference,
        [property: JsonPropertyName("ci95")] double[] Ci95,
        [property: JsonPropertyName("resamples")] int Resamples);

    // ---- a folder of episodes (--episodes DIR) ----

    public static string ToText(EpisodeFolderResult r)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{r.Folder}: {r.Episodes} episodes, {Shots(r)}, dense prompt {r.DensePrompt}: mean IoU {r.MeanIoU:F2}  FB-IoU {r.FbIoU:F2}  ({r.Seconds:F1}s)");
        if (r.VersusPcs is not { } c) return line;
        return line + Environment.NewLine + string.Create(CultureInfo.InvariantCulture,
            $"same episodes, dense prompt pcs: mean IoU {c.Pcs.MeanIoU:F2}  FB-IoU {c.Pcs.FbIoU:F2}  ({c.Pcs.Seconds:F1}s)") + Environment.NewLine +
            string.Create(CultureInfo.InvariantCulture,
            $"{r.DensePrompt} minus pcs: {c.Lead.Difference:+0.00;-0.00} mean IoU (paired bootstrap 95% interval {c.Lead.Lower95:+0.00;-0.00} to {c.Lead.Upper95:+0.00;-0.00}, {c.Lead.Resamples} resamples)");
    }

    private static string Shots(EpisodeFolderResult r)
    {
        if (r.PerEpisode.Count == 0) return "no shots";
        int lo = r.PerEpisode.Min(e => e.Shots), hi = r.PerEpisode.Max(e => e.Shots);
        return lo == hi ? $"{lo}-shot" : $"{lo} to {hi} shots";
    }

    /// <summary>
    /// {"folder", "shots" (the most any episode used), "episodes", "miou", "fbiou" (percent), "dense_prompt", "seconds",
    /// "per_episode": [{"name", "shots", "iou" (0–1)}…]}; with <c>--dense-prompt both</c> also
    /// "pcs": {"miou", "fbiou", "seconds", "per_episode"} and "miou_minus_pcs": {"difference", "ci95": [lo, hi], "resamples"}.
    /// </summary>
    public static string ToJson(EpisodeFolderResult r)
    {
        var c = r.VersusPcs;
        return JsonSerializer.Serialize(new FolderJson(
            r.Folder, r.PerEpisode.Count == 0 ? 0 : r.PerEpisode.Max(e => e.Shots), r.Episodes, Round2(r.MeanIoU), Round2(r.FbIoU), r.DensePrompt,
            Math.Round(r.Seconds, 1), PerEpisodeJson(r),
            c is null ? null : new FolderPriorJson(Round2(c.Pcs.MeanIoU), Round2(c.Pcs.FbIoU), Math.Round(c.Pcs.Seconds, 1), PerEpisodeJson(c.Pcs)),
            c is null ? null : Lead(c.Lead)), JsonOptions);
    }

    private static EpisodeJson[] PerEpisodeJson(EpisodeFolderResult r) =>
        r.PerEpisode.Select(e => new EpisodeJson(e.Name, e.Shots, Math.Round(e.IoU, 4))).ToArray();

    private sealed record FolderJson(
        [property: JsonPropertyName("folder")] string Folder,
        [property: JsonPropertyName("shots")] int Shots,
        [property: JsonPropertyName("episodes")] int Episodes,
        [property: JsonPropertyName("miou")] double MeanIoU,
        [property: JsonPropertyName("fbiou")] double FbIoU,
        [property: JsonPropertyName("dense_prompt")] string DensePrompt,
        [property: JsonPropertyName("seconds")] double Seconds,
        [property: JsonPropertyName("per_episode")] EpisodeJson[] PerEpisode,
        [property: JsonPropertyName("pcs")] FolderPriorJson? Pcs,
        [property: JsonPropertyName("miou_minus_pcs")] LeadJson? Lead);

    private sealed record EpisodeJson(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("shots")] int Shots,
        [property: JsonPropertyName("iou")] double IoU);

    private sealed record FolderPriorJson(
        [property: JsonPropertyName("miou")] double MeanIoU,
        [property: JsonPropertyName("fbiou")] double FbIoU,
        [property: JsonPropertyName("seconds")] double Seconds,
        [property: JsonPropertyName("per_episode")] EpisodeJson[] PerEpisode);
}
