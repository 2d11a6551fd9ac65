namespace Uino.Training.Training;

/// <summary>The settings every trainer's command line shares (<c>uino train distill</c>, <c>uino train fss</c>).</summary>
internal abstract record TrainingRunArguments
{
    public int Batch { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;
    public int Seed { get; init; }
    public required string Out { get; init; }
    public bool Resume { get; init; }
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }
}
