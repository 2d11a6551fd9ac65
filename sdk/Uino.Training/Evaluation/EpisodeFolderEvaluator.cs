using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Imaging;
using Uino.Training.Data;
using Uino.Training.Settings;

namespace Uino.Training.Evaluation;

/// <summary>The settings of an evaluation on a folder of episodes (<c>uino eval --episodes DIR</c>), typed.</summary>
internal sealed record EpisodeFolderSettings
{
    public required string Folder { get; init; }
    public string? Model { get; init; }
    /// <summary>At most this many reference shots per episode (null: every reference the folder has).</summary>
    public int? Shots { get; init; }
    /// <summary>Only the first this many episodes, in name order (null: all).</summary>
    public int? Limit { get; init; }
    public DensePrompt DensePrompt { get; init; } = DensePrompt.Model;
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

    /// <summary>Evaluates the folder; prints nothing. Progress: episodes done of each run (the PCS run is a second one).</summary>
    public static EpisodeFolderResult Run(EpisodeFolderSettings a, IProgress<EvaluationProgress>? progress = null)
    {
        var densePrompt = a.DensePrompt;
        if (a.Shots is < 1) throw new ArgumentException("the shots per episode must be at least 1");
        if (a.Limit is < 1) throw new ArgumentException("the episode limit must be at least 1");
        IReadOnlyList<EpisodeFiles> episodes = EpisodeFolder.Read(a.Folder);
        if (a.Limit is int limit) episodes = episodes.Take(limit).ToList();
        if (a.SaveOverlays is { } overlays) Directory.CreateDirectory(overlays);

        EpisodeFolderResult r;
        using (var session = new UinoSession(Options(a, pcs: densePrompt == DensePrompt.Pcs)))
        {
            if (densePrompt == DensePrompt.Both && !session.Model.HasDensePromptGenerator)
                throw new ArgumentException($"comparing both dense prompts needs the Mamba dense prompt, but this model (variant {session.Variant}) has no Mamba dense prompt");
            r = Evaluate(session, a.Folder, episodes, a.Shots, a.SaveOverlays, "", progress);
        }
        if (densePrompt == DensePrompt.Both)
        {
            // The ablation as a user would run it: the same file with Variant = Comp (the prototype-cosine prior).
            using var session = new UinoSession(Options(a, pcs: true));
            var pcs = Evaluate(session, a.Folder, episodes, a.Shots, a.SaveOverlays, ".pcs", progress);
            var lead = PairedComparison.CompareMeans(Percent(r), Percent(pcs));
            r = r with { VersusPcs = new EpisodeFolderComparison(pcs, lead) };
        }
        return r;
    }

    private static double[] Percent(EpisodeFolderResult r) => r.PerEpisode.Select(e => 100 * e.IoU).ToArray();

    private static UinoSessionOptions Options(EpisodeFolderSettings a, bool pcs) => new()
    {
        ModelPath = a.Model, EncoderCheckpoint = a.Dinov2, Device = a.Device, Threads = a.Threads ?? 0,
        Variant = pcs ? UinoVariant.Comp : null, InputSize = a.InputSize,
    };

    /// <summary>Runs every episode on <paramref name="session"/> (its references are replaced per episode).</summary>
    public static EpisodeFolderResult Evaluate(UinoSession session, string folder, IReadOnlyList<EpisodeFiles> episodes, int? maxShots,
                                               string? overlayFolder, string overlaySuffix, IProgress<EvaluationProgress>? progress)
    {
        var metrics = new FssMetrics();
        var perEpisode = new List<EpisodeIoU>(episodes.Count);
        string prior = session.Model.HasDensePromptGenerator ? "mamba" : "pcs";
        var watch = Stopwatch.StartNew();
        string label = $"episodes ({prior})";
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
            progress?.Report(new EvaluationProgress(label, i + 1, episodes.Count));
        }
        double mean = perEpisode.Count == 0 ? 0 : 100 * perEpisode.Average(e => e.IoU);
        return new EpisodeFolderResult(Path.GetFullPath(folder), perEpisode.Count, mean, metrics.FbIoU, prior,
                                       watch.Elapsed.TotalSeconds, perEpisode);
    }
}
