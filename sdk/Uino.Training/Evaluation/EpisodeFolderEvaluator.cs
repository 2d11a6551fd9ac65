using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Imaging;
using Uino.Training.Data;

namespace Uino.Training.Evaluation;

/// <summary>The arguments of <c>uino eval --episodes DIR</c>.</summary>
internal sealed record EpisodeFolderArguments
{
    public required string Folder { get; init; }
    public string? Model { get; init; }
    /// <summary>At most this many reference shots per episode (null: every reference the folder has).</summary>
    public int? Shots { get; init; }
    /// <summary>Only the first this many episodes, in name order (null: all).</summary>
    public int? Limit { get; init; }
    public string DensePrompt { get; init; } = "model";
    public bool Json { get; init; }
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }
    /// <summary>The square side frames are resized to; null runs the model at its own size.</summary>
    public int? InputSize { get; init; }
    public string? Dinov2 { get; init; }
    /// <summary>When set, each episode's query with the predicted mask drawn on it is written here as PNG.</summary>
    public string? SaveOverlays { get; init; }
}

/// <summary>One episode's result: its folder name, the reference shots used and the query's foreground IoU in [0, 1].</summary>
public sealed record EpisodeIoU(string Name, int Shots, double IoU);

/// <summary>
/// The evaluation of a folder of episodes. <see cref="MeanIoU"/> (percent) is the mean over episodes of each
/// episode's foreground IoU; <see cref="FbIoU"/> (percent) is pooled over episodes as <see cref="FssMetrics"/> does:
/// the mean of Σ∩/Σ∪ of the foreground and Σ∩/Σ∪ of the background, sums over every pixel of every query.
/// </summary>
public sealed record EpisodeFolderResult(string Folder, int Episodes, double MeanIoU, double FbIoU, string DensePrompt,
                                         double Seconds, IReadOnlyList<EpisodeIoU> PerEpisode)
{
    /// <summary>With <c>--dense-prompt both</c>: the same episodes with the prototype-cosine prior, and this run's lead over it.</summary>
    public EpisodeFolderComparison? VersusPcs { get; init; }
}

/// <summary>The PCS-prior run of the same episodes and the paired mean-IoU difference (this run minus PCS).</summary>
public sealed record EpisodeFolderComparison(EpisodeFolderResult Pcs, MeanIoUDifference Lead);

/// <summary>Runs <paramref name="work"/>, which reports how many of <paramref name="total"/> items are done.</summary>
public delegate void ProgressRunner(string label, int total, Action<Action<int>> work);

/// <summary>
/// <c>uino eval --episodes DIR</c>: each episode of an <see cref="EpisodeFolder"/> run exactly as a user runs it,
/// through the public session API — <see cref="UinoSession.AddReference(Image{Rgb24}, Image{L8})"/> for each shot,
/// then <see cref="UinoSession.Segment(Image{Rgb24})"/> on the query — and the returned mask (at the query's own
/// size) compared with the query mask (nonzero = object). An episode's IoU is |P∩G| / |P∪G|, and 1 when both are empty.
/// </summary>
internal static class EpisodeFolderEvaluator
{
    /// <summary>Magenta, as <c>uino segment</c>'s overlays.</summary>
    private static readonly Rgb24 Tint = new(255, 0, 170);

    public static EpisodeFolderResult Run(EpisodeFolderArguments a, TextWriter output, ProgressRunner? progress = null)
    {
        string densePrompt = a.DensePrompt.Trim().ToLowerInvariant();
        if (densePrompt is not ("model" or "mamba" or "pcs" or "both"))
            throw new ArgumentException($"unknown --dense-prompt '{a.DensePrompt}'; expected model, pcs or both");
        if (a.Shots is < 1) throw new ArgumentException("--shots must be at least 1");
        if (a.Limit is < 1) throw new ArgumentException("the episode limit must be at least 1");
        IReadOnlyList<EpisodeFiles> episodes = EpisodeFolder.Read(a.Folder);
        if (a.Limit is int limit) episodes = episodes.Take(limit).ToList();
        if (a.SaveOverlays is { } overlays) Directory.CreateDirectory(overlays);
        progress ??= (_, _, work) => work(_ => { });

        EpisodeFolderResult r;
        using (var session = new UinoSession(Options(a, pcs: densePrompt == "pcs")))
        {
            if (densePrompt == "both" && !session.Model.HasDensePromptGenerator)
                throw new ArgumentException($"--dense-prompt both compares the Mamba dense prompt with PCS, but this model (variant {session.Variant}) has no Mamba dense prompt");
            r = Evaluate(session, a.Folder, episodes, a.Shots, a.SaveOverlays, "", progress);
        }
        if (densePrompt == "both")
        {
            // The ablation as a user would run it: the same file with Variant = Comp (the prototype-cosine prior).
            using var session = new UinoSession(Options(a, pcs: true));
            var pcs = Evaluate(session, a.Folder, episodes, a.Shots, a.SaveOverlays, ".pcs", progress);
            var lead = PairedComparison.CompareMeans(Percent(r), Percent(pcs));
            r = r with { VersusPcs = new EpisodeFolderComparison(pcs, lead) };
        }
        output.WriteLine(a.Json ? ToJson(r) : ToText(r));
        return r;
    }

    private static double[] Percent(EpisodeFolderResult r) => r.PerEpisode.Select(e => 100 * e.IoU).ToArray();

    private static UinoSessionOptions Options(EpisodeFolderArguments a, bool pcs) => new()
    {
        ModelPath = a.Model, EncoderCheckpoint = a.Dinov2, Device = a.Device, Threads = a.Threads ?? 0,
        Variant = pcs ? UinoVariant.Comp : null, InputSize = a.InputSize,
    };

    /// <summary>Runs every episode on <paramref name="session"/> (its references are replaced per episode).</summary>
    public static EpisodeFolderResult Evaluate(UinoSession session, string folder, IReadOnlyList<EpisodeFiles> episodes, int? maxShots,
                                               string? overlayFolder, string overlaySuffix, ProgressRunner progress)
    {
        var metrics = new FssMetrics();
        var perEpisode = new List<EpisodeIoU>(episodes.Count);
        string prior = session.Model.HasDensePromptGenerator ? "mamba" : "pcs";
        var watch = Stopwatch.StartNew();
        progress($"episodes ({prior})", episodes.Count, report =>
        {
            for (int i = 0; i < episodes.Count; i++)
            {
                using var episode = EpisodeFolder.Load(episodes[i], maxShots);
                session.ClearReferences();
                foreach (var ((image, mask), files) in episode.References.Zip(episode.Files.References))
                {
                    try { session.AddReference(image, mask); }
                    catch (UinoArgumentException e)
                    {
                        throw new DatasetException($"{e.Message.TrimEnd('.')} ('{files.Mask}'): fix the mask, or remove its episode folder.", e);
                    }
                }
                var result = session.Segment(episode.Query);
                metrics.Add(i, result.Mask.Span, episode.Label);
                var score = metrics.Scores[^1];
                perEpisode.Add(new EpisodeIoU(episode.Files.Name, episode.References.Count,
                                              score.Union == 0 ? 1.0 : (double)score.Intersection / score.Union));
                if (overlayFolder is not null)
                {
                    using var overlay = Overlay.Compose(episode.Query, result.Mask.Span, Tint);
                    AtomicFile.Write(Path.Combine(overlayFolder, $"{episode.Files.Name}{overlaySuffix}.png"), s => overlay.SaveAsPng(s));
                }
                report(i + 1);
            }
        });
        double mean = perEpisode.Count == 0 ? 0 : 100 * perEpisode.Average(e => e.IoU);
        return new EpisodeFolderResult(Path.GetFullPath(folder), perEpisode.Count, mean, metrics.FbIoU, prior,
                                       watch.Elapsed.TotalSeconds, perEpisode);
    }

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

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

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
            c is null ? null : new PriorJson(Round2(c.Pcs.MeanIoU), Round2(c.Pcs.FbIoU), Math.Round(c.Pcs.Seconds, 1), PerEpisodeJson(c.Pcs)),
            c is null ? null : new LeadJson(Round2(c.Lead.Difference), [Round2(c.Lead.Lower95), Round2(c.Lead.Upper95)], c.Lead.Resamples)), JsonOptions);
    }

    private static double Round2(double x) => Math.Round(x, 2);

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
        [property: JsonPropertyName("pcs")] PriorJson? Pcs,
        [property: JsonPropertyName("miou_minus_pcs")] LeadJson? Lead);

    private sealed record EpisodeJson(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("shots")] int Shots,
        [property: JsonPropertyName("iou")] double IoU);

    private sealed record PriorJson(
        [property: JsonPropertyName("miou")] double MeanIoU,
        [property: JsonPropertyName("fbiou")] double FbIoU,
        [property: JsonPropertyName("seconds")] double Seconds,
        [property: JsonPropertyName("per_episode")] EpisodeJson[] PerEpisode);

    private sealed record LeadJson(
        [property: JsonPropertyName("difference")] double Difference,
        [property: JsonPropertyName("ci95")] double[] Ci95,
        [property: JsonPropertyName("resamples")] int Resamples);
}
