using System.CommandLine;
using Uino.Checkpoints;
using Uino.Training.Distillation;

namespace Uino.Cli.Commands;

/// <summary><c>uino train distill</c>: stage 1, the bottleneck adapter distilled from SAM's image encoder.</summary>
internal static class DistillCommand
{
    public static Command Create()
    {
        var images = new Option<string>("--images") { Description = "folder of training images, searched recursively (SA-1B layout works)", Required = true };
        var dinov2 = new Option<string>("--dinov2") { Description = "official DINOv2 checkpoint (the frozen student encoder)", Required = true };
        var backbone = new Option<string>("--backbone") { Description = "vits14, vitb14 or vitl14", DefaultValueFactory = _ => "vitb14" };
        var sam = new Option<string>("--sam") { Description = "official SAM checkpoint (the teacher's image encoder)", Required = true };
        var samModel = new Option<string>("--sam-model") { Description = "sam_vit_h (default), sam_vit_l or sam_vit_b", DefaultValueFactory = _ => "sam_vit_h" };
        var cache = new Option<string?>("--cache") { Description = "teacher-embedding cache folder (default OUT/teacher-cache)" };
        var stages = new Option<string>("--stages") { Description = "stage input sizes in pixels", DefaultValueFactory = _ => "126,252,518" };
        var epochs = new Option<int>("--epochs") { Description = "epochs per stage", DefaultValueFactory = _ => 15 };
        var batch = new Option<int>("--batch") { Description = "images per batch", DefaultValueFactory = _ => 8 };
        var lr = new Option<double>("--lr") { Description = "initial AdamW learning rate", DefaultValueFactory = _ => 1e-3 };
        var seed = new Option<int>("--seed") { Description = "seed of the initialisation and the image order", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "output folder: adapter.safetensors, distill-checkpoint.safetensors", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue from OUT/distill-checkpoint.safetensors" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => 200 };
        var command = new Command("distill", "Stage 1: distil the bottleneck adapter from SAM's image encoder (MSE; 126 → 252 → 518 px).")
        {
            images, dinov2, backbone, sam, samModel, cache, stages, epochs, batch, lr, seed, outDir, resume, device, threads, checkpointEvery,
        };
        command.SetAction(p =>
        {
            try
            {
                if (p.GetValue(device) is string d && d != "cpu")
                    throw new ArgumentException("uino train distill runs on the CPU in this version; use --device cpu");
                DistillRunner.Run(new DistillArguments
                {
                    Images = p.GetValue(images)!, Dinov2 = p.GetValue(dinov2)!, Backbone = p.GetValue(backbone)!, Sam = p.GetValue(sam)!,
                    SamModel = p.GetValue(samModel)!, Cache = p.GetValue(cache), Stages = p.GetValue(stages)!, Epochs = p.GetValue(epochs),
                    Batch = p.GetValue(batch), LearningRate = p.GetValue(lr), Seed = p.GetValue(seed), Out = p.GetValue(outDir)!,
                    Resume = p.GetValue(resume), Device = p.GetValue(device)!, Threads = p.GetValue(threads), CheckpointEvery = p.GetValue(checkpointEvery),
                }, Console.Out);
                return 0;
            }
            catch (Exception e) when (e is CheckpointException or ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
            {
                return CommandErrors.Fail("train distill", e);
            }
        });
        return command;
    }
}
