using System.Globalization;
using Spectre.Console;
using Uino.Checkpoints;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Modeling.Sam;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Distillation;

/// <summary>The arguments of <c>uino train distill</c>.</summary>
internal sealed record DistillArguments : TrainingRunArguments
{
    public required string Images { get; init; }
    public required string Dinov2 { get; init; }
    public string Backbone { get; init; } = "vitb14";
    public required string Sam { get; init; }
    public string SamModel { get; init; } = "sam_vit_h";
    public string? Cache { get; init; }
    public string Stages { get; init; } = "126,252,518";
    public int Epochs { get; init; } = 15;
    public long CheckpointEvery { get; init; } = 200;
}

internal static class DistillRunner
{
    public static void Run(DistillArguments a, TextWriter output)
    {
        if (a.Threads is int t and > 0) set_num_threads(t);
        var stages = a.Stages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                             .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var config = UinoFssConfig.Preset(a.Backbone);
        var options = new DistillOptions
        {
            ImagesDir = a.Images, CacheDir = a.Cache ?? Path.Combine(a.Out, "teacher-cache"), OutDir = a.Out, Stages = stages,
            EpochsPerStage = a.Epochs, Batch = a.Batch, LearningRate = a.LearningRate, Seed = a.Seed, Resume = a.Resume,
            CheckpointEvery = a.CheckpointEvery,
        };
        using var encoder = new DinoVisionTransformer(config.Vit);
        var dino = CheckpointFile.Load(a.Dinov2);
        try { StateDict.Load(encoder, dino, a.Dinov2); } finally { foreach (var x in dino.Values) x.Dispose(); }
        using var distiller = new Distiller(options, config, encoder);
        output.WriteLine($"uino train distill: {distiller.Images.Count} images, stages {string.Join(" → ", stages)} px, {a.Epochs} epochs each, " +
                         $"batch {a.Batch}, {distiller.TotalSteps} steps from step {distiller.StartStep}");
        if (distiller.Images.Any(i => !File.Exists(distiller.CachePath(i))))
        {
            using var sam = SamModel.Create(SamConfig.Preset(a.SamModel));
            var weights = CheckpointFile.Load(a.Sam);
            try { StateDict.Load(sam, weights, a.Sam, strict: false); } finally { foreach (var x in weights.Values) x.Dispose(); }
            sam.eval();
            var teacher = sam.ImageEncoder!;
            Progress(output, "teacher embeddings", distiller.Images.Count, report => distiller.FillTeacherCache(x => teacher.call(x), progress: i => report(i)));
        }
        Progress(output, "distillation", distiller.TotalSteps, report =>
            distiller.Train((step, total, size, loss) =>
            {
                report(step);
                if (step % 50 == 0 || step == total)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step}/{total} {size}px mse {loss:F5}"));
            }), distiller.StartStep);
        output.WriteLine($"Wrote {Path.Combine(a.Out, Distiller.AdapterName)}");
    }

    private static void Progress(TextWriter output, string name, long total, Action<Action<long>> work, long start = 0)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            work(_ => { });
            return;
        }
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(name, maxValue: total);
                task.Value = start;
                work(v => task.Value = v);
            });
    }
}
