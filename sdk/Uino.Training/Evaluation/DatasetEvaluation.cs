using TorchSharp;
using Uino.Api;
using Uino.Training.Data;
using Uino.Training.Settings;
using static TorchSharp.torch;

namespace Uino.Training.Evaluation;

/// <summary>The settings of a standard few-shot evaluation on a dataset, typed; the defaults here are the only ones.</summary>
internal sealed record EvalSettings
{
    /// <summary>A Uino model file; null: the model embedded in Uino.Sdk.</summary>
    public string? Model { get; init; }
    public required string Dataset { get; init; }
    public string? Root { get; init; }
    public int Fold { get; init; }
    /// <summary>Val: the novel classes (the standard protocol); Train: the base classes.</summary>
    public FewShotSplit Split { get; init; } = FewShotSplit.Val;
    public int Shots { get; init; } = 1;
    /// <summary>Number of episodes; null: the dataset's standard count.</summary>
    public int? Episodes { get; init; }
    public int Seed { get; init; } = DatasetFactory.StandardEvaluationSeed;
    public DensePrompt DensePrompt { get; init; } = DensePrompt.Model;
    public string Device { get; init; } = "cpu";
    /// <summary>CPU threads for TorchSharp (process-wide); null or 0 leaves them as they are.</summary>
    public int? Threads { get; init; }
    /// <summary>Episodes per forward pass (at least 1).</summary>
    public int Batch { get; init; } = 8;
    /// <summary>DINOv2 checkpoint, for model files without the encoder.</summary>
    public string? Dinov2 { get; init; }
}

/// <summary>How far an evaluation is: <paramref name="Done"/> of <paramref name="Total"/> episodes of the run named <paramref name="Label"/>.</summary>
public sealed record EvaluationProgress(string Label, int Done, int Total);

/// <summary>
/// The standard few-shot protocol as a library: <see cref="Run"/> evaluates <see cref="EvalSettings"/> and returns the
/// result (mIoU and FB-IoU in percent); progress goes to an <see cref="IProgress{T}"/> of <see cref="EvaluationProgress"/>.
/// It prints nothing; errors name the setting.
/// </summary>
internal static class DatasetEvaluation
{
    public static EvaluationResult Run(EvalSettings s, IProgress<EvaluationProgress>? progress = null)
    {
        if (s.Threads is int t and > 0) set_num_threads(t);
        if (s.Shots < 1) throw new ArgumentException("the shots per episode must be at least 1");
        var device = torch.device(s.Device);
        // The session API's loader: the model file, else the model embedded in Uino.Sdk (the one every command defaults to).
        using var model = ModelLoader.Load(new UinoSessionOptions { ModelPath = s.Model, EncoderCheckpoint = s.Dinov2 }, device);
        var ds = TrainingDatasets.Open(s.Dataset, s.Root, s.Fold, s.Split);
        int episodes = s.Episodes ?? DatasetFactory.StandardEpisodeCount(ds);
        if (episodes < 1) throw new ArgumentException("the number of episodes must be at least 1");
        if (s.DensePrompt == DensePrompt.Both && !model.HasDensePromptGenerator)
            throw new ArgumentException($"comparing both dense prompts needs the Mamba dense prompt, but this model (variant {model.Config.Variant}) has no Mamba dense prompt");
        int batch = Math.Max(1, s.Batch);
        string label = s.DensePrompt == DensePrompt.Pcs || !model.HasDensePromptGenerator ? "pcs" : "mamba";
        var r = FssEvaluator.Run(model, ds, s.Shots, episodes, s.Seed, s.DensePrompt == DensePrompt.Pcs, batch, device,
                                 Report(progress, $"episodes ({label})", episodes));
        if (s.DensePrompt == DensePrompt.Both)
        {
            // Same seed, so the same episodes in the same order: the paired difference is what says "clearly above".
            var pcs = FssEvaluator.Run(model, ds, s.Shots, episodes, s.Seed, pcsPrior: true, batch, device,
                                       Report(progress, "episodes (pcs)", episodes));
            r = r with { VersusPcs = new PcsComparison(pcs, PairedComparison.Compare(r.Scores, pcs.Scores)) };
        }
        return r;
    }

    private static Action<int>? Report(IProgress<EvaluationProgress>? progress, string label, int total) =>
        progress is null ? null : done => progress.Report(new EvaluationProgress(label, done, total));
}
