using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Uino.Training.Evaluation;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino eval [--model FILE] --dataset … --shots 1|5 [--episodes N] [--seed S] [--json] [--dense-prompt model|pcs|both]</c>:
/// the standard few-shot protocol; mIoU and FB-IoU in percent.
/// <c>uino eval [--model FILE] --episodes DIR [--shots N] [--json] [--dense-prompt …] [--save-overlays OUT]</c>:
/// the user's own episode folders (<see cref="EpisodeFolder"/>) through the session API; mean IoU over episodes.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Uino model file (default: the embedded default model)" };
        var dataset = new Option<string?>("--dataset") { Description = "pascal, coco, fss1000, synthetic or real (the real-photo training set's held-out classes; needs --root) — or --episodes DIR instead" };
        var root = new Option<string?>("--root") { Description = "dataset root folder (not needed for synthetic)" };
        var fold = new Option<int>("--fold") { Description = "fold", DefaultValueFactory = _ => 0 };
        var split = CliOptions.Split("novel/val (default) or base/train classes");
        var shots = new Option<int?>("--shots") { Description = "support shots: 1 (default) or 5; with --episodes DIR, at most this many of each episode's references (default: all)" };
        var episodes = new Option<string?>("--episodes") { Description = "with --dataset: the number of episodes (default: 1000; FSS-1000: every test image once). " +
            "Without --dataset: a folder of your own episodes, one folder each with reference.<img>, reference-mask.png, query.<img>, query-mask.png (more shots: reference-2.<img>, reference-2-mask.png, …)" };
        var seed = new Option<int>("--seed") { Description = "seed of the episode sequence", DefaultValueFactory = _ => 0 };
        var densePrompt = CliOptions.DensePromptOption("model (as trained), pcs (ablation: prototype-cosine prior instead of the Mamba dense prompt) or both (the two on the same episodes, with the paired difference and its bootstrap 95% interval)");
        var json = new Option<bool>("--json") { Description = "print {\"dataset\",\"shots\",\"episodes\",\"miou\",\"fbiou\",…} as JSON (--episodes DIR: {\"folder\",\"shots\",\"episodes\",\"miou\",\"fbiou\",…,\"per_episode\":[{\"name\",\"shots\",\"iou\"}…]})" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var batch = new Option<int>("--batch") { Description = "episodes per forward pass", DefaultValueFactory = _ => 8 };
        var dinov2 = new Option<string?>("--dinov2") { Description = "DINOv2 checkpoint, for model files without the encoder" };
        var inputSize = new Option<int?>("--input-size") { Description = "with --episodes DIR: the square side frames are resized to (default: the model's own; a multiple of 32 for the default model, of 14 for DINOv2 ones)" };
        var saveOverlays = new Option<string?>("--save-overlays") { Description = "with --episodes DIR: write each episode's query with the predicted mask drawn on it to this folder (NAME.png; NAME.pcs.png for the PCS run)" };
        var command = new Command("eval", "Evaluate a model on few-shot episodes: mIoU and FB-IoU (standard protocol), or mean IoU on a folder of your own episodes (--episodes DIR).")
        {
            model, dataset, root, fold, split, shots, episodes, seed, densePrompt, json, device, threads, batch, dinov2, saveOverlays, inputSize,
        };
        command.SetAction(p => CommandErrors.Run("eval", () =>
        {
            var (datasetName, count, folder) = Source(p.GetValue(dataset), p.GetValue(episodes));
            bool asJson = p.GetValue(json);
            using var progress = Progress();
            if (folder is not null)
            {
                var r = EpisodeFolderEvaluator.Run(new EpisodeFolderSettings
                {
                    Folder = folder, Model = p.GetValue(model), Shots = p.GetValue(shots), DensePrompt = p.GetValue(densePrompt),
                    Device = p.GetValue(device)!, Threads = p.GetValue(threads), Dinov2 = p.GetValue(dinov2),
                    SaveOverlays = p.GetValue(saveOverlays), InputSize = p.GetValue(inputSize),
                }, progress);
                Console.Out.WriteLine(asJson ? EvalOutput.ToJson(r) : EvalOutput.ToText(r));
                return 0;
            }
            if (p.GetValue(inputSize) is not null)
                throw new ArgumentException("--input-size works with --episodes DIR; a --dataset evaluation runs the model at its own size");
            if (p.GetValue(saveOverlays) is not null)
                throw new ArgumentException("--save-overlays works with --episodes DIR (a folder of your own episodes), not with --dataset");
            var result = DatasetEvaluation.Run(new EvalSettings
            {
                Model = p.GetValue(model), Dataset = datasetName!, Root = p.GetValue(root), Fold = p.GetValue(fold),
                Split = p.GetValue(split), Shots = p.GetValue(shots) ?? 1, Episodes = count, Seed = p.GetValue(seed),
                DensePrompt = p.GetValue(densePrompt), Device = p.GetValue(device)!,
                Threads = p.GetValue(threads), Batch = p.GetValue(batch), Dinov2 = p.GetValue(dinov2),
            }, progress);
            Console.Out.WriteLine(asJson ? EvalOutput.ToJson(result) : EvalOutput.ToText(result));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// What to evaluate: a dataset (--dataset, with --episodes as its number of episodes) or a folder of episodes
    /// (--episodes DIR without --dataset); never both, never neither.
    /// </summary>
    private static (string? Dataset, int? Count, string? Folder) Source(string? dataset, string? episodes)
    {
        bool isCount = int.TryParse(episodes, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count);
        if (dataset is not null)
        {
            if (episodes is not null && !isCount)
                throw new ArgumentException($"--episodes '{episodes}' is a folder of episodes, which replaces --dataset: give either --dataset NAME [--episodes N] or --episodes DIR, not both");
            return (dataset, episodes is null ? null : count, null);
        }
        if (episodes is null)
            throw new ArgumentException("nothing to evaluate: give --dataset NAME (pascal, coco, fss1000 or synthetic) or --episodes DIR (a folder of your own episodes)");
        if (isCount && !Directory.Exists(episodes))
            throw new ArgumentException($"--episodes {episodes} is a number of episodes, which needs --dataset NAME; for your own episodes give their folder");
        return (null, null, episodes);
    }

    /// <summary>
    /// A progress bar on stderr (stdout stays the result, e.g. the JSON) when stderr is a terminal; else null. Each
    /// run of episodes (each label) gets its own bar, as before.
    /// </summary>
    private static BarProgress? Progress() => ProgressDisplay.ErrorConsole() is { } console ? new BarProgress(console) : null;

    /// <summary>Shows <see cref="EvaluationProgress"/> reports as a live progress bar, one per label, started at its first report.</summary>
    private sealed class BarProgress(IAnsiConsole console) : IProgress<EvaluationProgress>, IDisposable
    {
        private string? _label;
        private ProgressTask? _task;
        private Task? _display;
        private TaskCompletionSource _done = new();

        public void Report(EvaluationProgress value)
        {
            if (value.Label != _label)
            {
                Dispose();
                var started = new TaskCompletionSource<ProgressTask>();
                _done = new TaskCompletionSource();
                var done = _done.Task;
                _display = console.Progress().AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        started.SetResult(ctx.AddTask(value.Label, maxValue: Math.Max(1, value.Total)));
                        await done;
                    });
                _task = started.Task.GetAwaiter().GetResult();
                _label = value.Label;
            }
            _task!.Value = value.Done;
            if (value.Done >= value.Total) Dispose();
        }

        /// <summary>Ends the bar on display, if any (also on failure, so no live display outlives the command).</summary>
        public void Dispose()
        {
            _done.TrySetResult();
            _display?.GetAwaiter().GetResult();
            _display = null;
            _task = null;
            _label = null;
        }
    }
}
