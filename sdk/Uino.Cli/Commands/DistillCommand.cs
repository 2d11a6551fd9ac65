using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Uino.Training.Distillation;
using Uino.Training.Settings;

namespace Uino.Cli.Commands;

/// <summary><c>uino train distill</c>: stage 1, the bottleneck adapter distilled from SAM's image encoder.</summary>
internal static class DistillCommand
{
    /// <summary>The library's defaults (<see cref="DistillSettings"/>), shown by the options: written once.</summary>
    private static readonly DistillSettings Defaults = new() { Images = "", Dinov2 = "", Sam = "", Out = "" };

    public static Command Create()
    {
        var d = Defaults;
        var images = new Option<string>("--images") { Description = "folder of training images, searched recursively (SA-1B layout works)", Required = true };
        var dinov2 = new Option<string>("--dinov2") { Description = "official DINOv2 checkpoint (the frozen student encoder)", Required = true };
        var backbone = CliOptions.Preset("--backbone", "vits14, vitb14 or vitl14", d.Backbone, paperOnly: true);
        var sam = new Option<string>("--sam") { Description = "official SAM checkpoint (the teacher's image encoder)", Required = true };
        var samModel = new Option<string>("--sam-model") { Description = "sam_vit_h (default), sam_vit_l or sam_vit_b", DefaultValueFactory = _ => d.SamModel };
        var cache = new Option<string?>("--cache") { Description = "teacher-embedding cache folder (default OUT/teacher-cache)" };
        var stages = CliOptions.Sizes("--stages", "stage input sizes in pixels, comma-separated", [.. d.Stages]);
        var epochs = new Option<int>("--epochs") { Description = "epochs per stage", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch") { Description = "images per batch", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "initial AdamW learning rate", DefaultValueFactory = _ => d.LearningRate };
        var seed = new Option<int>("--seed") { Description = "seed of the initialisation and the image order", DefaultValueFactory = _ => d.Seed };
        var outDir = new Option<string>("--out") { Description = "output folder: adapter.safetensors, distill-checkpoint.safetensors", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue from OUT/distill-checkpoint.safetensors" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => d.Device };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => d.CheckpointEvery };
        var command = new Command("distill", "Stage 1: distil the bottleneck adapter from SAM's image encoder (MSE; 126 → 252 → 518 px).")
        {
            images, dinov2, backbone, sam, samModel, cache, stages, epochs, batch, lr, seed, outDir, resume, device, threads, checkpointEvery,
        };
        command.SetAction(p => CommandErrors.Run("train distill", () =>
        {
            if (p.GetValue(device) is string dev && dev != "cpu")
                throw new ArgumentException("uino train distill runs on the CPU in this version; use --device cpu");
            Run(new DistillSettings
            {
                Images = p.GetValue(images)!, Dinov2 = p.GetValue(dinov2)!, Backbone = p.GetValue(backbone), Sam = p.GetValue(sam)!,
                SamModel = p.GetValue(samModel)!, Cache = p.GetValue(cache), Stages = p.GetValue(stages)!, Epochs = p.GetValue(epochs),
                Batch = p.GetValue(batch), LearningRate = p.GetValue(lr), Seed = p.GetValue(seed), Out = p.GetValue(outDir)!,
                Resume = p.GetValue(resume), Device = p.GetValue(device)!, Threads = p.GetValue(threads), CheckpointEvery = p.GetValue(checkpointEvery),
            }, Console.Out);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs stage 1 through the library (<see cref="DistillTraining"/>, <see cref="Distiller"/>): progress bars on a
    /// terminal, and a log line every 50 steps either way.
    /// </summary>
    private static void Run(DistillSettings s, TextWriter output)
    {
        var (distiller, encoder) = DistillTraining.Create(s);
        using var _ = encoder;
        using var __ = distiller;
        output.WriteLine($"uino train distill: {distiller.Images.Count} images, stages {string.Join(" → ", s.Stages)} px, {s.Epochs} epochs each, " +
                         $"batch {s.Batch}, {distiller.TotalSteps} steps from step {distiller.StartStep}");
        if (DistillTraining.NeedsTeacher(distiller))
        {
            using var sam = DistillTraining.LoadTeacher(s);
            var teacher = sam.ImageEncoder!;
            WithBar("teacher embeddings", distiller.Images.Count, 0, report =>
                distiller.FillTeacherCache(x => teacher.call(x), progress: new SynchronousProgress<int>(i => report(i))));
        }
        WithBar("distillation", distiller.TotalSteps, distiller.StartStep, report =>
            distiller.Train(new SynchronousProgress<DistillStepReport>(r =>
            {
                report(r.Step);
                if (r.Step % 50 == 0 || r.Step == r.TotalSteps)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {r.Step}/{r.TotalSteps} {r.InputSize}px mse {r.Loss:F5}"));
            })));
        output.WriteLine($"Wrote {Path.Combine(s.Out, Distiller.AdapterName)}");
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar when the output is a terminal; else reports go nowhere.</summary>
    private static void WithBar<T>(string label, long total, long start, Func<Action<long>, T> work)
    {
        if (!ProgressDisplay.OutputIsInteractive) { work(_ => { }); return; }
        ProgressDisplay.Bar(AnsiConsole.Console, label, total, start, task => work(v => task.Value = v));
    }
}
