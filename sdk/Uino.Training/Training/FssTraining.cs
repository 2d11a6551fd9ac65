using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Settings;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>The settings of a stage-2 (episodic meta-training) run, typed; the defaults here are the only ones.</summary>
internal sealed record FssTrainSettings : TrainingSettings
{
    public required string Dataset { get; init; }
    public string? Root { get; init; }
    public int Fold { get; init; }
    public int Shots { get; init; } = 1;
    public UinoVariant Variant { get; init; } = UinoVariant.Full;
    public ModelPreset Backbone { get; init; } = ModelPreset.VitB14;
    /// <summary>Square input side; null keeps 518 for the paper models, the preset's own for the small ones.</summary>
    public int? InputSize { get; init; }
    public string? Dinov2 { get; init; }
    public string? Sam { get; init; }
    public string? Adapter { get; init; }
    /// <summary>Optimisation steps; when null, <see cref="Epochs"/> sets them.</summary>
    public long? Steps { get; init; }
    public int? Epochs { get; init; }
    public bool FromScratch { get; init; }
    public long CheckpointEvery { get; init; } = 100;
    /// <summary>A model file or checkpoint whose weights initialise every part they fit.</summary>
    public string? Init { get; init; }
    /// <summary>Synthetic only: drawn base classes added to the catalog's 36.</summary>
    public int ExtraClasses { get; init; }
    /// <summary>Synthetic only: chance that a distractor is a look-alike of the target.</summary>
    public float HardDistractors { get; init; }
    /// <summary>Chance that an episode's SVP token is dropped in training.</summary>
    public float SvpDropout { get; init; }
    /// <summary>Side of the adaptive-average grid the support's contrastive features are pooled to (0 = none); null keeps the preset's.</summary>
    public int? SupportGrid { get; init; }
    /// <summary>Real only: share of instance-level copy-paste episodes; null keeps the default.</summary>
    public double? InstanceFraction { get; init; }
}

/// <summary>
/// Stage 2 as a library: <see cref="OpenDataset"/> and <see cref="Options"/> turn <see cref="FssTrainSettings"/> into
/// what <see cref="FssTrainer"/> runs; <see cref="FssTrainer.Train"/> reports each step through <see cref="IProgress{T}"/>
/// of <see cref="StepReport"/>. Errors name the setting, not a command-line flag.
/// </summary>
internal static class FssTraining
{
    /// <summary>The training split of the settings' dataset (and applies <see cref="TrainingSettings.Threads"/>).</summary>
    public static IFewShotDataset OpenDataset(FssTrainSettings s)
    {
        if (s.Threads is int t and > 0) set_num_threads(t);
        return TrainingDatasets.Open(s.Dataset, s.Root, s.Fold, FewShotSplit.Train, extraClasses: s.ExtraClasses,
                                     hardDistractors: s.HardDistractors, instanceFraction: s.InstanceFraction);
    }

    /// <summary>The trainer's options: the preset's configuration at the input size, the step count, checked settings.</summary>
    public static FssTrainOptions Options(FssTrainSettings s, IFewShotDataset ds)
    {
        var config = s.Backbone.Config(s.Variant, s.InputSize ?? 518);
        if (s.InputSize is int size && size != config.InputSize) config = config.WithInputSize(size);
        if (s.SupportGrid is int grid)
        {
            if (grid < 0) throw new ArgumentException($"the support grid must be 0 (no pooling) or positive, got {grid}");
            config = config with { SupportGrid = grid };
        }
        if (s.Shots < 1) throw new ArgumentException("the shots per episode must be at least 1");
        if (s.Batch < 1) throw new ArgumentException("the batch size must be at least 1");
        if (!(s.SvpDropout is >= 0f and < 1f)) throw new ArgumentException($"the SVP dropout must be in [0, 1), got {s.SvpDropout}");
        long total = s.Steps ?? (s.Epochs is int e
            ? Math.Max(1, (long)e * ds.ImagesPerClass.Values.Sum() / s.Batch)
            : throw new ArgumentException("the length of the run is missing: give the steps or the epochs"));
        return new FssTrainOptions
        {
            Config = config, Shots = s.Shots, Batch = s.Batch, Steps = total, LearningRate = s.LearningRate, Seed = s.Seed,
            OutDir = s.Out, Resume = s.Resume, CheckpointEvery = s.CheckpointEvery, FromScratch = s.FromScratch,
            Dinov2Checkpoint = s.Dinov2, SamCheckpoint = s.Sam, AdapterFile = s.Adapter, Device = s.Device, InitModel = s.Init,
            SvpDropout = s.SvpDropout,
        };
    }
}
