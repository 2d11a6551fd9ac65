namespace Uino.Training.Training;

/// <summary>The settings every trainer shares (stage 1 distillation, stage 2 meta-training). The defaults here are the only ones.</summary>
internal abstract record TrainingSettings
{
    public int Batch { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;
    public int Seed { get; init; }
    /// <summary>The output folder (checkpoints, the trained file).</summary>
    public required string Out { get; init; }
    public bool Resume { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>CPU threads for TorchSharp (process-wide); null or 0 leaves them as they are.</summary>
    public int? Threads { get; init; }
}
