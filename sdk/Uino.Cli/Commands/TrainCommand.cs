using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Uino.Training.Settings;
using Uino.Training.Training;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino train fss …</c> (stage 2, episodic meta-training), <c>uino train distill …</c> (stage 1, the bottleneck
/// adapter distilled from SAM's image encoder) and <c>uino train average …</c> (a weight average of runs from one model).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train UINO-FSS: 'distill' (stage 1, bottleneck adapter) or 'fss' (stage 2, episodic meta-training).");
        command.Subcommands.Add(CreateFss());
        command.Subcommands.Add(DistillCommand.Create());
        command.Subcommands.Add(CreateAverage());
        return command;
    }

    private static Command CreateAverage()
    {
        var models = new Argument<string[]>("models") { Description = "two or more Uino model files fine-tuned from one model", Arity = ArgumentArity.OneOrMore };
        var outFile = new Option<string>("--out") { Description = "model file to write (atomically)", Required = true };
        var command = new Command("average", "Average the weights of runs fine-tuned from one model (a model soup) into one model file.") { models, outFile };
        command.SetAction(p => CommandErrors.Run("train average", () =>
        {
            var inputs = p.GetValue(models)!;
            ModelAveraging.Average(inputs, p.GetValue(outFile)!);
            Console.Out.WriteLine($"Wrote {p.GetValue(outFile)}: the average of {inputs.Length} models.");
            return 0;
        }));
        return command;
    }

    /// <summary>The library's defaults (<see cref="FssTrainSettings"/>), shown by the options: written once.</summary>
    private static readonly FssTrainSettings Defaults = new() { Dataset = "", Out = "" };

    private static Command CreateFss()
    {
        var d = Defaults;
        var dataset = new Option<string>("--dataset") { Description = "pascal, coco, fss1000, real (the shared real photos) or synthetic", Required = true };
        var root = new Option<string?>("--root") { Description = "dataset root folder (not needed for synthetic; real: e.g. ../shared/data)" };
        var fold = new Option<int>("--fold") { Description = "fold whose base classes are trained", DefaultValueFactory = _ => d.Fold };
        var shots = new Option<int>("--shots") { Description = "support shots K per episode", DefaultValueFactory = _ => d.Shots };
        var variant = CliOptions.Variant("--variant", "full, comp, comp* or cp4d", d.Variant);
        var backbone = CliOptions.Preset("--backbone", "resnet18 (the real-photo model on the ImageNet ResNet-18 of its NuGet package), vits14, vitb14, vitl14 (paper models) or embedded, tiny (small demo models)", d.Backbone, paperOnly: false);
        var inputSize = new Option<int?>("--input-size") { Description = "square input side in pixels (default: 518 for the paper models, the preset's for embedded/tiny)" };
        var dinov2 = new Option<string?>("--dinov2") { Description = "official DINOv2 checkpoint (.pth or .safetensors) of the backbone" };
        var sam = new Option<string?>("--sam") { Description = "official SAM checkpoint: initialises the prompt encoder and mask decoder" };
        var adapter = new Option<string?>("--adapter") { Description = "bottleneck adapter trained by 'uino train distill'" };
        var steps = new Option<long?>("--steps") { Description = "optimisation steps" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs (one epoch = Σ images per base class / batch steps); ignored when --steps is given" };
        var batch = new Option<int>("--batch") { Description = "episodes per batch", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "initial AdamW learning rate (polynomial decay, power 0.9)", DefaultValueFactory = _ => d.LearningRate };
        var seed = new Option<int>("--seed") { Description = "seed of the initialisation and of every episode", DefaultValueFactory = _ => d.Seed };
        var outDir = new Option<string>("--out") { Description = "output folder: checkpoint.safetensors, model.safetensors", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue from OUT/checkpoint.safetensors (same options required)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => d.Device };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var fromScratch = new Option<bool>("--from-scratch") { Description = "demo mode: no pretrained weights; trains encoder and adapter too (deviation from the paper, used only for the embedded model)" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => d.CheckpointEvery };
        var logEvery = new Option<long>("--log-every") { Description = "steps between log lines when the output is not a terminal", DefaultValueFactory = _ => 10 };
        var init = new Option<string?>("--init") { Description = "Uino model file or training checkpoint whose weights initialise every part they fit (e.g. a comp run before a full one); parts it lacks start fresh" };
        var extraClasses = new Option<int>("--extra-classes") { Description = "synthetic only: N drawn base classes added to the catalog's 36 (never a catalog class; ids 48..)", DefaultValueFactory = _ => d.ExtraClasses };
        var hardDistractors = new Option<float>("--hard-distractors") { Description = "synthetic only: chance (0..1) that a distractor is a look-alike of the target: closest colours of another pattern family, or the same pattern in other colours", DefaultValueFactory = _ => d.HardDistractors };
        var svpDropout = new Option<float>("--svp-dropout") { Description = "chance (0..1) that an episode's SVP token is dropped in a training step, so the decoder also learns to segment from the dense prompt", DefaultValueFactory = _ => d.SvpDropout };
        var instanceFraction = new Option<double?>("--instance-fraction") { Description = "real only: share (0..1) of instance-level episodes, one object pasted into different photos (default 0.6); the rest are class-level pairs" };
        var supportGrid = new Option<int?>("--support-grid") { Description = "side of the grid the support's fg/bg features are pooled to before the 4D correlation (0 = the full token grid; default: the preset's, 8 for the paper models)" };
        var command = new Command("fss", "Stage 2: episodic meta-training on the base classes of a fold (Sec. IV-E).")
        {
            dataset, root, fold, shots, variant, backbone, inputSize, dinov2, sam, adapter, steps, epochs, batch, lr, seed,
            outDir, resume, device, threads, fromScratch, checkpointEvery, logEvery, init, extraClasses, hardDistractors, svpDropout, supportGrid, instanceFraction,
        };
        command.SetAction(p => CommandErrors.Run("train fss", () =>
        {
            if (p.GetValue(steps) is null && p.GetValue(epochs) is null) throw new ArgumentException("give --steps or --epochs");
            RunFss(new FssTrainSettings
            {
                Dataset = p.GetValue(dataset)!, Root = p.GetValue(root), Fold = p.GetValue(fold), Shots = p.GetValue(shots),
                Variant = p.GetValue(variant), Backbone = p.GetValue(backbone), InputSize = p.GetValue(inputSize),
                Dinov2 = p.GetValue(dinov2), Sam = p.GetValue(sam), Adapter = p.GetValue(adapter), Steps = p.GetValue(steps),
                Epochs = p.GetValue(epochs), Batch = p.GetValue(batch), LearningRate = p.GetValue(lr), Seed = p.GetValue(seed),
                Out = p.GetValue(outDir)!, Resume = p.GetValue(resume), Device = p.GetValue(device)!, Threads = p.GetValue(threads),
                FromScratch = p.GetValue(fromScratch), CheckpointEvery = p.GetValue(checkpointEvery),
                Init = p.GetValue(init), ExtraClasses = p.GetValue(extraClasses),
                HardDistractors = p.GetValue(hardDistractors), SvpDropout = p.GetValue(svpDropout), SupportGrid = p.GetValue(supportGrid),
                InstanceFraction = p.GetValue(instanceFraction),
            }, p.GetValue(logEvery), Console.Out);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs stage 2 through the library (<see cref="FssTraining"/>, <see cref="FssTrainer"/>) and shows its
    /// <see cref="StepReport"/>s: a progress bar on a terminal, else a log line every <paramref name="logEvery"/> steps.
    /// </summary>
    internal static void RunFss(FssTrainSettings s, long logEvery, TextWriter output)
    {
        var ds = FssTraining.OpenDataset(s);
        var options = FssTraining.Options(s, ds);
        using var trainer = new FssTrainer(options, ds);
        output.WriteLine($"uino train fss: {ds.Name} fold {ds.Fold}, {ds.Classes.Count} base classes, K={options.Shots}, " +
                         $"batch {options.Batch}, {options.Steps} steps from step {trainer.StartStep}, {trainer.TrainableCount:N0} trainable parameters, " +
                         $"input {options.Config.InputSize}px, variant {options.Config.Variant}{(options.FromScratch ? ", from scratch" : "")}" +
                         (options.InitModel is null ? "" : $", {trainer.InitialisedTensors} tensors from {options.InitModel}"));
        var sw = Stopwatch.StartNew();
        double avg = double.NaN;
        void Average(StepReport r) => avg = double.IsNaN(avg) ? r.Loss : 0.95 * avg + 0.05 * r.Loss;
        if (!ProgressDisplay.OutputIsInteractive)
        {
            trainer.Train(new SynchronousProgress<StepReport>(r =>
            {
                Average(r);
                if (r.Step % Math.Max(1, logEvery) == 0 || r.Step == r.TotalSteps)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {r.Step}/{r.TotalSteps} loss {r.Loss:F4} (prior {r.PriorLoss:F4}, final {r.FinalLoss:F4}) avg {avg:F4} lr {r.LearningRate:E2} data {r.DataSeconds:F2}s compute {r.ComputeSeconds:F2}s elapsed {sw.Elapsed:hh\\:mm\\:ss}"));
            }));
        }
        else
        {
            ProgressDisplay.Bar(AnsiConsole.Console, "meta-training", options.Steps, trainer.StartStep, task =>
                trainer.Train(new SynchronousProgress<StepReport>(r =>
                {
                    Average(r);
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {avg:F3}");
                    task.Value = r.Step;
                })));
        }
        output.WriteLine($"Wrote {Path.Combine(options.OutDir, FssTrainer.ModelName)} ({sw.Elapsed:hh\\:mm\\:ss})");
    }
}
