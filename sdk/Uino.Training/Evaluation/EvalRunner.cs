using TorchSharp;
using System.Globalization;
using System.Text.Json;
using Uino.Api;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Evaluation;

/// <summary>The arguments of <c>uino eval</c>.</summary>
internal sealed record EvalArguments
{
    public string? Model { get; init; }
    public required string Dataset { get; init; }
    public string? Root { get; init; }
    public int Fold { get; init; }
    public string Split { get; init; } = "val";
    public int Shots { get; init; } = 1;
    public int? Episodes { get; init; }
    public int Seed { get; init; } = DatasetFactory.StandardEvaluationSeed;
    public string DensePrompt { get; init; } = "model";
    public bool Json { get; init; }
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }
    public int Batch { get; init; } = 8;
    public string? Dinov2 { get; init; }
}

internal static class EvalRunner
{
    public static EvaluationResult Run(EvalArguments a, TextWriter output)
    {
        if (a.Threads is int t and > 0) set_num_threads(t);
        if (a.Shots < 1) throw new ArgumentException("--shots must be at least 1");
        string densePrompt = a.DensePrompt.Trim().ToLowerInvariant();
        if (densePrompt is not ("model" or "mamba" or "pcs" or "both"))
            throw new ArgumentException($"unknown --dense-prompt '{a.DensePrompt}'; expected model, pcs or both");
        var device = torch.device(a.Device);
        // The session API's loader: --model, else the model embedded in Uino.Sdk (the one every command defaults to).
        using var model = ModelLoader.Load(new UinoSessionOptions { ModelPath = a.Model, EncoderCheckpoint = a.Dinov2 }, device);
        var ds = CliHelpers.OpenDataset(a.Dataset, a.Root, a.Fold, CliHelpers.ParseSplit(a.Split));
        int episodes = a.Episodes ?? DatasetFactory.StandardEpisodeCount(ds);
        if (episodes < 1) throw new ArgumentException("--episodes must be at least 1");
        if (densePrompt == "both" && !model.HasDensePromptGenerator)
            throw new ArgumentException($"--dense-prompt both compares the Mamba dense prompt with PCS, but this model (variant {model.Config.Variant}) has no Mamba dense prompt");
        int batch = Math.Max(1, a.Batch);
        var r = FssEvaluator.Run(model, ds, a.Shots, episodes, a.Seed, densePrompt == "pcs", batch, device);
        if (densePrompt == "both")
        {
            // Same seed, so the same episodes in the same order: the paired difference is what says "clearly above".
            var pcs = FssEvaluator.Run(model, ds, a.Shots, episodes, a.Seed, pcsPrior: true, batch, device);
            r = r with { VersusPcs = new PcsComparison(pcs, PairedComparison.Compare(r.Scores, pcs.Scores)) };
        }
        output.WriteLine(a.Json ? ToJson(r) : ToText(r));
        return r;
    }

    private static string ToText(EvaluationResult r)
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
    /// with <c>--dense-prompt both</c> also "pcs":{miou, fbiou, class_iou} and "miou_minus_pcs":{difference, ci95:[lo, hi]}.</summary>
    public static string ToJson(EvaluationResult r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("dataset", r.Dataset);
            w.WriteNumber("shots", r.Shots);
            w.WriteNumber("episodes", r.Episodes);
            w.WriteNumber("miou", Math.Round(r.MeanIoU, 2));
            w.WriteNumber("fbiou", Math.Round(r.FbIoU, 2));
            w.WriteNumber("fold", r.Fold);
            w.WriteString("split", r.Split);
            w.WriteString("dense_prompt", r.DensePrompt);
            w.WriteNumber("seconds", Math.Round(r.Seconds, 1));
            WriteClassIoU(w, r);
            if (r.VersusPcs is { } c)
            {
                w.WriteStartObject("pcs");
                w.WriteNumber("miou", Math.Round(c.Pcs.MeanIoU, 2));
                w.WriteNumber("fbiou", Math.Round(c.Pcs.FbIoU, 2));
                WriteClassIoU(w, c.Pcs);
                w.WriteEndObject();
                w.WriteStartObject("miou_minus_pcs");
                w.WriteNumber("difference", Math.Round(c.Lead.Difference, 2));
                w.WriteStartArray("ci95");
                w.WriteNumberValue(Math.Round(c.Lead.Lower95, 2));
                w.WriteNumberValue(Math.Round(c.Lead.Upper95, 2));
                w.WriteEndArray();
                w.WriteNumber("resamples", c.Lead.Resamples);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteClassIoU(Utf8JsonWriter w, EvaluationResult r)
    {
        w.WriteStartObject("class_iou");
        foreach (var (c, v) in r.ClassIoU) w.WriteNumber(c.ToString(CultureInfo.InvariantCulture), Math.Round(v, 2));
        w.WriteEndObject();
    }
}
