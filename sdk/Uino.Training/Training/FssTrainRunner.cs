using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>The command-line arguments of <c>uino train fss</c>, as parsed.</summary>
internal sealed record FssTrainArguments : TrainingRunArguments
{
    public required string Dataset { get; init; }
    public string? Root { get; init; }
    public int Fold { get; init; }
    public int Shots { get; init; } = 1;
    public string Variant { get; init; } = "full";
    public string Backbone { get; init; } = "vitb14";
    public int? InputSize { get; init; }
    public string? Dinov2 { get; init; }
    public string? Sam { get; init; }
    public string? Adapter { get; init; }
    public long? Steps { get; init; }
    public int? Epochs { get; init; }
    public bool FromScratch { get; init; }
    public long CheckpointEvery { get; init; } = 100;
    public long LogEvery { get; init; } = 10;
    public string? Init { get; init; }
    /// <summary>Synthetic only: drawn base classes added to the catalog's 36 (<c>--extra-classes</c>).</summary>
    public int ExtraClasses { get; init; }
    /// <summary>Synthetic only: chance that a distractor is a look-alike of the target (<c>--hard-distractors</c>).</summary>
    public float HardDistractors { get; init; }
    /// <summary>Chance that an episode's SVP token is dropped in training (<c>--svp-dropout</c>).</summary>
    public float SvpDropout { get; init; }
    /// <summary>Side of the adaptive-average grid the support's contrastive features are pooled to (<c>--support-grid</c>; 0 = none); null keeps the preset's.</summary>
    public int? SupportGrid { get; init; }
    /// <summary>Real only: share of instance-level copy-paste episodes (<c>--instance-fraction</c>); null keeps the default.</summary>
    public double? InstanceFraction { get; init; }
}

/// <summary>Runs <c>uino train fss</c>: builds the options, trains, reports progress.</summary>
internal static class FssTrainRunner
{
    public static FssTrainOptions ToOptions(FssTrainArguments a, IFewShotDataset ds)
    {
        var v = CliHelpers.ParseVariant(a.Variant);
        var config = UinoFssPresets.ByName(a.Backbone, v, a.InputSize ?? 518);
        if (a.InputSize is int size && size != config.InputSize) config = config.WithInputSize(size);
        if (a.SupportGrid is int grid)
        {
            if (grid < 0) throw new ArgumentException($"--support-grid must be 0 (no pooling) or positive, got {grid}");
            config = config with { SupportGrid = grid };
        }
        if (a.Shots < 1) throw new ArgumentException("--shots must be at least 1");
        if (a.Batch < 1) throw new ArgumentException("--batch must be at least 1");
        if (!(a.SvpDropout is >= 0f and < 1f)) throw new ArgumentException($"--svp-dropout must be in [0, 1), got {a.SvpDropout}");
        long total = a.Steps ?? (a.Epochs is int e
            ? Math.Max(1, (long)e * ds.ImagesPerClass.Values.Sum() / a.Batch)
            : throw new ArgumentException("give --steps or --epochs"));
        return new FssTrainOptions
        {
            Config = config, Shots = a.Shots, Batch = a.Batch, Steps = total, LearningRate = a.LearningRate, Seed = a.Seed,
            OutDir = a.Out, Resume = a.Resume, CheckpointEvery = a.CheckpointEvery, FromScratch = a.FromScratch,
            Dinov2Checkpoint = a.Dinov2, SamCheckpoint = a.Sam, AdapterFile = a.Adapter, Device = a.Device, InitModel = a.Init,
            SvpDropout = a.SvpDropout,
        };
    }

    public static void Run(FssTrainArguments a, TextWriter output)
    {
        if (a.Threads is int t and > 0) set_num_threads(t);
        var ds = CliHelpers.OpenDataset(a.Dataset, a.Root, a.Fold, FewShotSplit.Train, extraClasses: a.ExtraClasses,
            hardDistractors: a.HardDistractors, instanceFraction: a.InstanceFraction);
        var options = ToOptions(a, ds);
        using var trainer = new FssTrainer(options, ds);
        output.WriteLine($"uino train fss: {ds.Name} fold {ds.Fold}, {ds.Classes.Count} base classes, K={options.Shots}, " +
                         $"batch {options.Batch}, {options.Steps} steps from step {trainer.StartStep}, {trainer.TrainableCount:N0} trainable parameters, " +
                         $"input {options.Config.InputSize}px, variant {options.Config.Variant}{(options.FromScratch ? ", from scratch" : "")}" +
                         (options.InitModel is null ? "" : $", {trainer.InitialisedTensors} tensors from {options.InitModel}"));
        var sw = Stopwatch.StartNew();
        double avg = double.NaN;
        void Average(StepReport r) => avg = double.IsNaN(avg) ? r.Loss : 0.95 * avg + 0.05 * r.Loss;
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            trainer.Train(r =>
            {
                Average(r);
                if (r.Step % Math.Max(1, a.LogEvery) == 0 || r.Step == r.TotalSteps)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {r.Step}/{r.TotalSteps} loss {r.Loss:F4} (prior {r.PriorLoss:F4}, final {r.FinalLoss:F4}) avg {avg:F4} lr {r.LearningRate:E2} data {r.DataSeconds:F2}s compute {r.ComputeSeconds:F2}s elapsed {sw.Elapsed:hh\\:mm\\:ss}"));
            });
        }
        else
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("meta-training", maxValue: options.Steps);
                    task.Value = trainer.StartStep;
                    trainer.Train(r =>
                    {
                        Average(r);
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {avg:F3}");
                        task.Value = r.Step;
                    });
                });
        }
        output.WriteLine($"Wrote {Path.Combine(options.OutDir, FssTrainer.ModelName)} ({sw.Elapsed:hh\\:mm\\:ss})");
    }
}
