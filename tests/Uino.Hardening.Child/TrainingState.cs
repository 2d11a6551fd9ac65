using System.Runtime.CompilerServices;
using Uino.Training.Training;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

[assembly: InternalsVisibleTo("Uino.Hardening.Tests")]

namespace Uino.Hardening.Child;

/// <summary>The trainable state of a minimal run, as the trainers hold it: a weight and a bias and their AdamW moments.</summary>
internal sealed class TrainingState : IDisposable
{
    public readonly Parameter Weight, Bias;
    public IReadOnlyList<(string Name, Parameter Param)> Trainable { get; }
    public AdamW Optim { get; }

    public TrainingState(int rows, int columns)
    {
        Weight = new Parameter(zeros(rows, columns));
        Bias = new Parameter(zeros(columns));
        Trainable = [("layer.weight", Weight), ("layer.bias", Bias)];
        Optim = new AdamW(Trainable, lr: 1e-3, weightDecay: 0);
    }

    public void Dispose()
    {
        Optim.Dispose();
        Weight.Dispose();
        Bias.Dispose();
    }
}
