namespace Uino.Modeling.ResNet;

/// <summary>
/// Shape of a ResNet built from BasicBlocks (two 3×3 convolutions per block): a 7×7/2 stem convolution with
/// BatchNorm and ReLU, a 3×3/2 max-pool, then stages whose first block halves the resolution (except stage 1) and
/// changes the width through a 1×1/2 convolution + BatchNorm shortcut.
/// </summary>
/// <param name="Name">A label for messages (e.g. <c>cntk-resnet18</c>).</param>
/// <param name="BlocksPerStage">BasicBlocks in each stage, stage 1 first.</param>
/// <param name="Channels">Output width of each stage, stage 1 first (the stem gives <c>Channels[0]</c>).</param>
internal sealed record ResNetConfig(string Name, IReadOnlyList<int> BlocksPerStage, IReadOnlyList<int> Channels)
{
    /// <summary>
    /// The ImageNet ResNet-18 of ML.NET's DnnImageFeaturizer (NuGet <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>,
    /// exported from CNTK): unlike torchvision's resnet18 its last stage has 3 blocks. 15,908,800 parameters
    /// (BatchNorm running statistics included).
    /// </summary>
    public static ResNetConfig Cntk18 { get; } = new("cntk-resnet18", [2, 2, 2, 3], [64, 128, 256, 512]);

    /// <summary>Number of stages.</summary>
    public int Stages => BlocksPerStage.Count;

    /// <summary>Width of the pooled output: the last stage's.</summary>
    public int OutputChannels => Channels[^1];

    /// <summary>Total downsampling of the last stage (stem 4 × 2 per later stage): 32 for four stages.</summary>
    public int Stride => 4 << (Stages - 1);

    /// <summary>Output stride of stage <paramref name="stage"/> (1-based): 4, 8, 16, 32.</summary>
    public int StageStride(int stage) => 4 << (stage - 1);

    public bool Equals(ResNetConfig? other) =>
        other is not null && Name == other.Name && BlocksPerStage.SequenceEqual(other.BlocksPerStage) &&
        Channels.SequenceEqual(other.Channels);

    public override int GetHashCode() => HashCode.Combine(Name, string.Join(",", BlocksPerStage), string.Join(",", Channels));

    public override string ToString() =>
        $"{Name} (blocks [{string.Join(", ", BlocksPerStage)}], channels [{string.Join(", ", Channels)}])";
}
