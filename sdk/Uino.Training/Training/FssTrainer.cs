using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using static TorchSharp.torch;

namespace Uino.Training.Training;

/// <summary>Everything that defines a stage-2 run (<c>uino train fss</c>).</summary>
internal sealed record FssTrainOptions
{
    public required UinoFssConfig Config { get; init; }
    public int Shots { get; init; } = 1;
    public int Batch { get; init; } = 8;
    public long Steps { get; init; }
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 5e-4;
    public double PolyPower { get; init; } = 0.9;
    public int Seed { get; init; }
    public required string OutDir { get; init; }
    public bool Resume { get; init; }
    public long CheckpointEvery { get; init; } = 100;
    /// <summary>Demo mode: also trains the encoder and the adapter from random initialisation (no pretrained weights).</summary>
    public bool FromScratch { get; init; }
    public string? Dinov2Checkpoint { get; init; }
    /// <summary>A ResNet encoder's weights file (.onnx); null finds the NuGet package's beside the SDK.</summary>
    public string? EncoderWeights { get; init; }
    public string? SamCheckpoint { get; init; }
    public string? AdapterFile { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>A Uino model file whose tensors initialise every module they fit (staged training, e.g. comp → full).</summary>
    public string? InitModel { get; init; }
    /// <summary>
    /// Chance (0..1) that an episode's SVP token is dropped (zeroed) in a training step, so the decoder learns to
    /// segment from the dense prompt too instead of leaning on the sparse token alone (<c>--svp-dropout</c>).
    /// </summary>
    public float SvpDropout { get; init; }

    /// <summary>What must match for a checkpoint to be resumed; options added later appear only when set, so an
    /// older checkpoint's fingerprint stays the same.</summary>
    public string Fingerprint(IFewShotDataset dataset)
    {
        string json = JsonSerializer.Serialize(new
        {
            config = JsonSerializer.Serialize(Config, UinoModelFile.Json),
            dataset = SamplingName(dataset), fold = dataset.Fold, classes = dataset.Classes.Count, Shots, Batch, Steps, LearningRate, WeightDecay, PolyPower, Seed, FromScratch, InitModel,
        });
        return SvpDropout > 0f ? string.Create(CultureInfo.InvariantCulture, $"{json} svp-dropout:{SvpDropout:R}") : json;
    }

    /// <summary>The dataset's name, plus how its scenes are drawn when that differs from the default (look-alike
    /// distractors), so an older checkpoint's fingerprint stays the same.</summary>
    private static string SamplingName(IFewShotDataset dataset) =>
        dataset switch
        {
            SyntheticFewShotDataset { HardDistractorChance: > 0f } synthetic =>
                string.Create(CultureInfo.InvariantCulture, $"{dataset.Name}+hard-distractors:{synthetic.HardDistractorChance:R}"),
            Data.RealPhotos.RealPhotoDataset real when real.Options != new Data.RealPhotos.RealPhotoOptions() =>
                string.Create(CultureInfo.InvariantCulture, $"{dataset.Name}+instance-fraction:{real.Options.InstanceFraction:R}"),
            _ => dataset.Name,
        };
}

/// <summary>One optimisation step's numbers.</summary>
internal sealed record StepReport(long Step, long TotalSteps, double LearningRate, float Loss, float PriorLoss, float FinalLoss,
                                  double DataSeconds, double ComputeSeconds);

/// <summary>
/// Episodic meta-training (Sec. IV-E, V-B): batches of episodes from the base classes with the HDMNet augmentation,
/// L = L_prior + L_final, AdamW with polynomial decay lr·(1 − step/steps)^0.9. Every <see cref="FssTrainOptions.CheckpointEvery"/>
/// steps the trainable parameters, the optimiser moments and the step are written atomically to
/// <c>OUT/checkpoint.safetensors</c>; batches are a pure function of (seed, step), so a resumed run ends bit-identical
/// to an uninterrupted one on the CPU.
/// </summary>
internal sealed class FssTrainer : IDisposable
{
    public const string CheckpointName = "checkpoint.safetensors";
    public const string ModelName = "model.safetensors";

    private readonly FssTrainOptions _o;
    private readonly IFewShotDataset _dataset;
    private readonly List<(string Name, Parameter Param)> _trainable;
    private readonly AdamW _optim;
    private readonly Device _device;

    public UinoFss Model { get; }
    public long StartStep { get; private set; }

    public FssTrainer(FssTrainOptions options, IFewShotDataset dataset)
    {
        _o = options;
        _dataset = dataset;
        if (options.Steps <= 0) throw new ArgumentException("The number of steps must be positive.");
        _device = torch.device(options.Device);
        Model = BuildModel(options);
        if (options.InitModel is not null)
        {
            InitialisedTensors = Initialise(Model, options.InitModel,
                                            requireFrozenParts: !options.FromScratch && options.Dinov2Checkpoint is null && options.Config.ResNet is null);
        }
        Model.to(_device);
        _trainable = Model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        _optim = new AdamW(_trainable, options.LearningRate, options.WeightDecay);
        Directory.CreateDirectory(options.OutDir);
        if (options.Resume) LoadCheckpoint();
    }

    public long TrainableCount => _trainable.Sum(p => p.Param.numel());

    /// <summary>How many tensors <see cref="FssTrainOptions.InitModel"/> provided (0 without one).</summary>
    public int InitialisedTensors { get; }

    /// <summary>
    /// Copies every tensor of <paramref name="path"/> whose key the network has (non-strict, so a comp-variant file
    /// initialises a full model but for its MHCM and dense head, and vice versa); a shape that differs is refused, and
    /// so is a file that fits nothing. The file is a Uino model file or a training checkpoint (its <c>model.*</c>
    /// weights), so a stage can start from an earlier run's last checkpoint.
    /// </summary>
    private static int Initialise(UinoFss model, string path, bool requireFrozenParts)
    {
        string prefix = SafeTensors.ReadHeader(path).Metadata.ContainsKey(TrainingCheckpoint.KindKey) ? TrainingCheckpoint.ModelPrefix : "";
        var tensors = SafeTensors.Load(path);
        try
        {
            var keys = model.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
            int fitting = tensors.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal) && keys.Contains(k[prefix.Length..]));
            if (fitting == 0) throw new CheckpointException($"the initial model '{path}' has no tensor of this model (is it a Uino model file?).");
            if (requireFrozenParts)
            {
                // Without --dinov2/--adapter the frozen parts must come from --init, or they would stay random.
                var absent = keys.Where(k => (k.StartsWith("encoder.", StringComparison.Ordinal) || k.StartsWith("adapter.", StringComparison.Ordinal))
                                             && !tensors.ContainsKey(prefix + k)).ToList();
                if (absent.Count > 0)
                    throw new CheckpointException($"the initial model '{path}' lacks {absent.Count} encoder/adapter tensor(s) (e.g. {absent[0]}); give the DINOv2 checkpoint and the stage-1 adapter, or an initial model that includes them.");
            }
            StateDict.Load(model, tensors, path, strict: false, prefix: prefix);
            return fitting;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static UinoFss BuildModel(FssTrainOptions o)
    {
        torch.manual_seed(o.Seed);
        var model = new UinoFss(o.Config);
        if (o.FromScratch)
        {
            foreach (var p in model.parameters()) p.requires_grad = true;
            return model;
        }
        try
        {
            if (o.Config.ResNet is { } resnet)
            {
                // The ImageNet encoder comes from its package; no stage 1 exists for it, so the adapter trains here.
                var weights = resnet.LoadWeights(o.EncoderWeights);
                try { StateDict.Load(model.Encoder, weights, resnet.Name); } finally { foreach (var t in weights.Values) t.Dispose(); }
                model.FreezeForStage2();
                return model;
            }
            if (o.InitModel is not null && o.Dinov2Checkpoint is null && o.AdapterFile is null)
            {
                // The encoder and the adapter come from --init (an earlier run's model or checkpoint), then stay frozen.
                model.FreezeForStage2();
                return model;
            }
            if (o.Dinov2Checkpoint is null) throw new ArgumentException("the DINOv2 checkpoint is required for a DINOv2 backbone (or an initial model that has the encoder, or from-scratch training for the demo mode).");
            if (o.AdapterFile is null) throw new ArgumentException("the stage-1 adapter is required (or an initial model, or from-scratch training).");
            var dino = CheckpointFile.Load(o.Dinov2Checkpoint);
            try { StateDict.Load(model.Encoder, dino, o.Dinov2Checkpoint); } finally { foreach (var t in dino.Values) t.Dispose(); }
            var adapter = CheckpointFile.Load(o.AdapterFile);
            try
            {
                bool prefixed = adapter.Keys.Any(k => k.StartsWith("adapter.", StringComparison.Ordinal));
                StateDict.Load(model.Adapter, adapter, o.AdapterFile, prefix: prefixed ? "adapter." : "");
            }
            finally { foreach (var t in adapter.Values) t.Dispose(); }
            if (o.SamCheckpoint is not null)
            {
                var sam = CheckpointFile.Load(o.SamCheckpoint);
                try
                {
                    StateDict.Load(model.PromptEncoder, sam, o.SamCheckpoint, strict: false, prefix: "prompt_encoder.");
                    StateDict.Load(model.MaskDecoder, sam, o.SamCheckpoint, strict: false, prefix: "mask_decoder.");
                }
                finally { foreach (var t in sam.Values) t.Dispose(); }
            }
            model.FreezeForStage2();
            return model;
        }
        catch { model.Dispose(); throw; }
    }

    public double LearningRateAt(long step) => _o.LearningRate * Math.Pow(1.0 - (double)step / _o.Steps, _o.PolyPower);

    /// <summary>Runs from <see cref="StartStep"/> to <paramref name="stopAt"/> (default: the end); returns the last step done.</summary>
    public long Train(IProgress<StepReport>? progress = null, long? stopAt = null, CancellationToken cancel = default)
    {
        long end = Math.Min(stopAt ?? _o.Steps, _o.Steps);
        Model.train();
        long step = StartStep;
        for (; step < end && !cancel.IsCancellationRequested; step++)
        {
            var report = TrainStep(step);
            progress?.Report(report);
            if ((step + 1) % _o.CheckpointEvery == 0 || step + 1 == end) SaveCheckpoint(step + 1);
        }
        StartStep = step;
        if (step == _o.Steps) SaveModel(Path.Combine(_o.OutDir, ModelName));
        return step;
    }

    private StepReport TrainStep(long step)
    {
        var sw = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var batch = EpisodeBatch.ForTraining(_dataset, _o.Seed, step, _o.Batch, _o.Shots, _o.Config.InputSize);
        double data = sw.Elapsed.TotalSeconds;
        sw.Restart();
        double lr = LearningRateAt(step);
        _optim.LearningRate = lr;
        _optim.ZeroGrad();
        using var svpKeep = SvpKeep(step);
        using var output = Model.Forward(batch.SupportImages.to(_device), batch.SupportMasks.to(_device),
                                         batch.QueryImages.to(_device), svpKeep: svpKeep);
        var (loss, prior, final) = Losses.Total(output, batch.QueryLabels.to(_device));
        loss.backward();
        _optim.StepOnce();
        float value = loss.item<float>();
        if (!float.IsFinite(value)) throw new InvalidOperationException($"The loss became {value} at step {step}.");
        return new StepReport(step + 1, _o.Steps, lr, value, prior, final, data, sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Which episodes of step <paramref name="step"/> keep their SVP token (B×1×1 of 0/1), or null without
    /// <c>--svp-dropout</c>. A pure function of (seed, step), like the batches, so a resumed run stays bit-identical.
    /// </summary>
    internal Tensor? SvpKeep(long step)
    {
        if (_o.SvpDropout <= 0f) return null;
        var random = EpisodeBatch.EpisodeRandom(_o.Seed ^ SvpDropoutSalt, step, 0);
        var keep = new float[_o.Batch];
        for (int i = 0; i < keep.Length; i++) keep[i] = random.NextDouble() < _o.SvpDropout ? 0f : 1f;
        return tensor(keep).reshape(_o.Batch, 1, 1).to(_device);
    }

    /// <summary>Separates the dropout draws from the episode draws of the same (seed, step).</summary>
    private const int SvpDropoutSalt = 0x5F3759DF;

    private void SaveCheckpoint(long step) =>
        TrainingCheckpoint.Save(Path.Combine(_o.OutDir, CheckpointName), "fss", step, _o.Fingerprint(_dataset), _trainable, _optim, Model.named_buffers());

    private void LoadCheckpoint() =>
        StartStep = TrainingCheckpoint.Resume(Path.Combine(_o.OutDir, CheckpointName), _o.Fingerprint(_dataset), _trainable, _optim,
                                              "was written by a run with other settings (model, dataset, shots, batch, steps, lr or seed); use a new output folder or the same settings.");

    /// <summary>Writes the Uino model file (the encoder is included in the from-scratch mode).</summary>
    public void SaveModel(string path)
    {
        var meta = new Dictionary<string, string>
        {
            ["uino.training"] = JsonSerializer.Serialize(new
            {
                dataset = _dataset.Name, fold = _dataset.Fold, shots = _o.Shots, batch = _o.Batch, steps = _o.Steps,
                lr = _o.LearningRate, seed = _o.Seed, from_scratch = _o.FromScratch, svp_dropout = _o.SvpDropout, init = _o.InitModel is null ? null : Path.GetFileName(_o.InitModel),
            }),
        };
        // A DINOv2 segmenter leaves out the official checkpoint it was trained on, a ResNet one the package's weights.
        bool externalEncoder = !_o.FromScratch && (_o.Config.ResNet is not null || _o.Dinov2Checkpoint is not null);
        UinoModelFile.Save(path, Model, includeEncoder: !externalEncoder, meta);
    }

    public void Dispose()
    {
        _optim.Dispose();
        Model.Dispose();
    }
}
