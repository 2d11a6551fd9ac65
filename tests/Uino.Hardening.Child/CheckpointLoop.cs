using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Hardening.Child;

/// <summary>
/// Writes training checkpoints (TrainingCheckpoint.Save, the trainers' own save) over one file in a loop; the
/// checkpoint of step N holds weights equal to N everywhere, so a reader can tell a complete file from a torn one.
/// 3 × 4 MB of tensors: a write takes long enough for a kill to land inside it.
/// </summary>
public static class CheckpointLoop
{
    public const string FileName = "train.safetensors";
    private const string Fingerprint = "hardening-kill-test";

    public static void Run(string dir)
    {
        using var state = new TrainingState(1024, 1024);
        var path = Path.Combine(dir, FileName);
        for (long step = 1; ; step++)
        {
            using (no_grad()) { state.Weight.fill_(step); state.Bias.fill_(-step); }
            TrainingCheckpoint.Save(path, "fss", step, Fingerprint, state.Trainable, state.Optim, buffers: []);
            Console.WriteLine($"saved {step}");
        }
    }

    /// <summary>Resumes from <paramref name="path"/> as a trainer would and checks every value; returns the step.</summary>
    /// <exception cref="InvalidDataException">The file resumed but its values are not those of its step.</exception>
    public static long Validate(string path)
    {
        using var state = new TrainingState(1024, 1024);
        long step = TrainingCheckpoint.Resume(path, Fingerprint, state.Trainable, state.Optim, "was written by another run.");
        using var w = state.Weight.eq(step).all();
        using var b = state.Bias.eq(-step).all();
        if (step <= 0 || !w.item<bool>() || !b.item<bool>())
            throw new InvalidDataException($"'{path}' resumed at step {step} but its weights are not all {step} / {-step}.");
        return step;
    }
}
