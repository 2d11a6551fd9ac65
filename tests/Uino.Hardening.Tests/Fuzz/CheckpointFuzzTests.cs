using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Hardening.Support;
using Uino.Hardening.Child;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Fuzzes every checkpoint reader: any file either loads or is refused with a <see cref="CheckpointException"/> (a
/// <see cref="UinoException"/> through the session API) naming the file, and every tensor of a failed load is freed.
/// </summary>
[NonParallelizable]
public class CheckpointFuzzTests
{
    private const string Fingerprint = "hardening-fuzz-run";

    private static bool IsCheckpointError(Exception e) => e is CheckpointException;

    [Test]
    public void SafeTensorsLoaderLoadsOrRefusesEveryMutation() => RunCountingTensors(new FuzzTarget(
        "safetensors", HardeningPaths.CorpusFiles("checkpoints").Where(f => f.EndsWith(".safetensors")).ToList(),
        SafeTensorsMutator.Mutate, path => DisposeAll(CheckpointFile.Load(path)), IsCheckpointError, nameof(CheckpointException)));

    [Test]
    public void PthLoaderLoadsOrRefusesEveryMutation() => RunCountingTensors(new FuzzTarget(
        "pth", HardeningPaths.CorpusFiles("checkpoints").Where(f => f.EndsWith(".pth")).ToList(),
        PthMutator.Mutate, path => DisposeAll(CheckpointFile.Load(path)), IsCheckpointError, nameof(CheckpointException)));

    /// <summary>Each input that parses builds a whole network, so fewer iterations than the bare parsers.</summary>
    [Test]
    public void ModelFileLoaderLoadsOrRefusesEveryMutation() => RunCountingTensors(new FuzzTarget(
        "model-file", [TinyModels.Full], SafeTensorsMutator.Mutate,
        path => new UinoSession(new UinoSessionOptions { ModelPath = path }).Dispose(),
        e => e is UinoException, nameof(UinoException)) { CiIterations = 600 });

    [Test]
    public void TrainingCheckpointResumeLoadsOrRefusesEveryMutation()
    {
        using var folder = new TempFolder();
        var seed = folder.File("training.safetensors");
        using var run = new TrainingState(4, 3);
        TrainingCheckpoint.Save(seed, "fss", 42, Fingerprint, run.Trainable, run.Optim, buffers: []);
        RunCountingTensors(new FuzzTarget(
            "training-checkpoint", [seed], SafeTensorsMutator.Mutate,
            path => TrainingCheckpoint.Resume(path, Fingerprint, run.Trainable, run.Optim, "was written by another run."),
            IsCheckpointError, nameof(CheckpointException)));
    }

    /// <summary>Runs the campaign and checks that it leaves no tensor alive: failed loads free what they allocated.</summary>
    private static void RunCountingTensors(FuzzTarget target)
    {
        long before = LiveTensors.Count();
        FuzzCampaign.Run(target);
        Assert.That(LiveTensors.Count(), Is.EqualTo(before), $"{target.Name}: live tensors after the campaign (a load leaked)");
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }
}
