using Uino.Checkpoints;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Modeling.Sam;
using Uino.Training.Settings;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Distillation;

/// <summary>The settings of a stage-1 run (the bottleneck adapter distilled from SAM's image encoder), typed; the defaults here are the only ones.</summary>
internal sealed record DistillSettings : TrainingSettings
{
    /// <summary>Folder of training images, searched recursively.</summary>
    public required string Images { get; init; }
    /// <summary>The official DINOv2 checkpoint (the frozen student encoder).</summary>
    public required string Dinov2 { get; init; }
    /// <summary>A paper preset (a DINOv2 backbone).</summary>
    public ModelPreset Backbone { get; init; } = ModelPreset.VitB14;
    /// <summary>The official SAM checkpoint (the teacher's image encoder).</summary>
    public required string Sam { get; init; }
    public string SamModel { get; init; } = "sam_vit_h";
    /// <summary>Teacher-embedding cache folder; null: OUT/teacher-cache.</summary>
    public string? Cache { get; init; }
    /// <summary>Stage input sizes in pixels.</summary>
    public IReadOnlyList<int> Stages { get; init; } = [126, 252, 518];
    public int Epochs { get; init; } = 15;
    public long CheckpointEvery { get; init; } = 200;
}

/// <summary>
/// Stage 1 as a library: <see cref="Create"/> loads the student encoder and builds the <see cref="Distiller"/>;
/// <see cref="NeedsTeacher"/> says whether the teacher cache is incomplete, <see cref="LoadTeacher"/> loads SAM for it;
/// <see cref="Distiller.FillTeacherCache"/> reports images done through <see cref="IProgress{T}"/> of int and
/// <see cref="Distiller.Train"/> each step through <see cref="IProgress{T}"/> of <see cref="DistillStepReport"/>.
/// </summary>
internal static class DistillTraining
{
    /// <summary>The distiller and its (caller-owned) frozen encoder; applies <see cref="TrainingSettings.Threads"/>.</summary>
    public static (Distiller Distiller, DinoVisionTransformer Encoder) Create(DistillSettings s)
    {
        if (s.Threads is int t and > 0) set_num_threads(t);
        if (!s.Backbone.IsPaperModel)
            throw new ArgumentException($"distillation needs a DINOv2 backbone ({ModelPreset.ExpectedPaper}), not '{s.Backbone}'");
        if (s.Stages.Count == 0 || s.Stages.Any(x => x <= 0)) throw new ArgumentException("the stage sizes must be positive pixel sizes");
        var config = UinoFssConfig.Preset(s.Backbone.Name);
        var options = new DistillOptions
        {
            ImagesDir = s.Images, CacheDir = s.Cache ?? Path.Combine(s.Out, "teacher-cache"), OutDir = s.Out, Stages = [.. s.Stages],
            EpochsPerStage = s.Epochs, Batch = s.Batch, LearningRate = s.LearningRate, Seed = s.Seed, Resume = s.Resume,
            CheckpointEvery = s.CheckpointEvery,
        };
        var encoder = new DinoVisionTransformer(config.Vit);
        try
        {
            var dino = CheckpointFile.Load(s.Dinov2);
            try { StateDict.Load(encoder, dino, s.Dinov2); } finally { foreach (var x in dino.Values) x.Dispose(); }
            return (new Distiller(options, config, encoder), encoder);
        }
        catch { encoder.Dispose(); throw; }
    }

    /// <summary>True when some image has no cached teacher embedding yet.</summary>
    public static bool NeedsTeacher(Distiller d) => d.Images.Any(i => !File.Exists(d.CachePath(i)));

    /// <summary>SAM (evaluation mode) from the settings' checkpoint; its image encoder is the teacher.</summary>
    public static SamModel LoadTeacher(DistillSettings s)
    {
        var sam = SamModel.Create(SamConfig.Preset(s.SamModel));
        try
        {
            var weights = CheckpointFile.Load(s.Sam);
            try { StateDict.Load(sam, weights, s.Sam, strict: false); } finally { foreach (var x in weights.Values) x.Dispose(); }
            sam.eval();
            return sam;
        }
        catch { sam.Dispose(); throw; }
    }
}
