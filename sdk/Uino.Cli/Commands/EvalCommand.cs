using System.CommandLine;
using Uino.Checkpoints;
using Uino.Training.Data;
using Uino.Training.Evaluation;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino eval [--model FILE] --dataset … --shots 1|5 [--episodes N] [--seed S] [--json] [--dense-prompt model|pcs|both]</c>:
/// the standard few-shot protocol; mIoU and FB-IoU in percent.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded default model)" };
        var dataset = new Option<string>("--dataset") { Description = "pascal, coco, fss1000 or synthetic", Required = true };
        var root = new Option<string?>("--root") { Description = "dataset root folder (not needed for synthetic)" };
        var fold = new Option<int>("--fold") { Description = "fold", DefaultValueFactory = _ => 0 };
        var split = new Option<string>("--split") { Description = "novel/val (default) or base/train classes", DefaultValueFactory = _ => "val" };
        var shots = new Option<int>("--shots") { Description = "support shots: 1 or 5", DefaultValueFactory = _ => 1 };
        var episodes = new Option<int?>("--episodes") { Description = "episodes (default: 1000; FSS-1000: every test image once)" };
        var seed = new Option<int>("--seed") { Description = "seed of the episode sequence", DefaultValueFactory = _ => 0 };
        var densePrompt = new Option<string>("--dense-prompt") { Description = "model (as trained), pcs (ablation: prototype-cosine prior instead of the Mamba dense prompt) or both (the two on the same episodes, with the paired difference and its bootstrap 95% interval)", DefaultValueFactory = _ => "model" };
        var json = new Option<bool>("--json") { Description = "print {\"dataset\",\"shots\",\"episodes\",\"miou\",\"fbiou\",…} as JSON" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var batch = new Option<int>("--batch") { Description = "episodes per forward pass", DefaultValueFactory = _ => 8 };
        var dinov2 = new Option<string?>("--dinov2") { Description = "DINOv2 checkpoint, for model files without the encoder" };
        var command = new Command("eval", "Evaluate a model on few-shot episodes: mIoU and FB-IoU (standard protocol).")
        {
            model, dataset, root, fold, split, shots, episodes, seed, densePrompt, json, device, threads, batch, dinov2,
        };
        command.SetAction(p =>
        {
            try
            {
                EvalRunner.Run(new EvalArguments
                {
                    Model = p.GetValue(model), Dataset = p.GetValue(dataset)!, Root = p.GetValue(root), Fold = p.GetValue(fold),
                    Split = p.GetValue(split)!, Shots = p.GetValue(shots), Episodes = p.GetValue(episodes), Seed = p.GetValue(seed),
                    DensePrompt = p.GetValue(densePrompt)!, Json = p.GetValue(json), Device = p.GetValue(device)!,
                    Threads = p.GetValue(threads), Batch = p.GetValue(batch), Dinov2 = p.GetValue(dinov2),
                }, Console.Out);
                return 0;
            }
            catch (Exception e) when (e is DatasetException or CheckpointException or UinoException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                return CommandErrors.Fail("eval", e);
            }
        });
        return command;
    }
}
