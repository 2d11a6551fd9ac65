using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using TorchSharp.Modules;
using Uino.Checkpoints;
using Uino.Imaging;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Data.Synthetic;
using Uino.Training.Training;
using AdamW = Uino.Training.Training.AdamW;
using static TorchSharp.torch;

namespace Uino.Training.Distillation;

/// <summary>Settings of stage 1 (<c>uino train distill</c>).</summary>
internal sealed record DistillOptions
{
    public required string ImagesDir { get; init; }
    public required string CacheDir { get; init; }
    public required string OutDir { get; init; }
    public int[] Stages { get; init; } = [126, 252, 518];
    public int EpochsPerStage { get; init; } = 15;
    public int Batch { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 5e-4;
    public int Seed { get; init; }
    public bool Resume { get; init; }
    public long CheckpointEvery { get; init; } = 200;
    /// <summary>Side of the cached teacher grid (SAM's 64×64 embedding area-pooled to it); the 518-px student grid.</summary>
    public int CacheGrid { get; init; } = 37;
}

/// <summary>One distillation step done: its number (1-based) of <paramref name="TotalSteps"/>, the stage's input size in pixels and the MSE.</summary>
internal sealed record DistillStepReport(long Step, long TotalSteps, int InputSize, float Loss);

/// <summary>
/// Stage 1 (Sec. V-A): the student is the frozen DINOv2 blocks 1..l_low followed by the trainable bottleneck
/// adapter; the teacher is SAM's image encoder; the loss is the MSE between the two embeddings. Three stages at
/// 126, 252 and 518 px (student grids 9, 18, 37), AdamW lr 1e-3 (polynomial decay 0.9 over the whole run), wd 5e-4.
/// The teacher sees each image ONCE, resized (squashed, like the student) to 1024×1024 with SAM's pixel statistics;
/// its 256×64×64 embedding is area-pooled (adaptive average) to 37×37 and cached as fp16 safetensors keyed by the
/// image's relative path; each stage pools the cache again to its own grid. Batches are a pure function of
/// (seed, stage, epoch, batch index), so <c>--resume</c> continues exactly.
/// </summary>
internal sealed class Distiller : IDisposable
{
    public const string CheckpointName = "distill-checkpoint.safetensors";
    public const string AdapterName = "adapter.safetensors";
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    private readonly DistillOptions _o;
    private readonly DinoVisionTransformer _encoder;
    private readonly int _lowBlock;
    private readonly List<(string Name, Parameter Param)> _trainable;
    private readonly AdamW _optim;

    public BottleneckAdapter Adapter { get; }
    public IReadOnlyList<string> Images { get; }
    public long StartStep { get; private set; }
    public long TotalSteps { get; }
    private long StepsPerEpoch => (Images.Count + _o.Batch - 1) / _o.Batch;

    /// <param name="options">The run's settings.</param>
    /// <param name="config">Gives the encoder, l_low and the adapter sizes; the adapter's output width must equal the teacher's.</param>
    /// <param name="encoder">The DINOv2 encoder (weights loaded); frozen here.</param>
    public Distiller(DistillOptions options, UinoFssConfig config, DinoVisionTransformer encoder)
    {
        _o = options;
        _encoder = encoder;
        foreach (var p in encoder.parameters()) p.requires_grad = false;
        encoder.eval();
        _lowBlock = config.AdapterLayer - 1;
        if (!Directory.Exists(options.ImagesDir)) throw new DirectoryNotFoundException($"image folder '{options.ImagesDir}' does not exist");
        Images = Directory.EnumerateFiles(options.ImagesDir, "*", SearchOption.AllDirectories)
                          .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                          .Select(f => Path.GetRelativePath(options.ImagesDir, f))
                          .OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (Images.Count == 0) throw new ArgumentException($"no images (jpg, png, bmp, webp) under '{options.ImagesDir}'");
        if (options.Stages.Any(s => s % config.Vit.PatchSize != 0))
            throw new ArgumentException($"every stage size must be a multiple of the patch size {config.Vit.PatchSize}");
        torch.manual_seed(options.Seed);
        Adapter = new BottleneckAdapter(config.Vit.EmbedDim, config.AdapterBottleneck, config.AdapterInner, config.AdapterFfn,
                                        config.AdapterHeads, config.Decoder.EmbedDim);
        _trainable = Adapter.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        _optim = new AdamW(_trainable, options.LearningRate, options.WeightDecay);
        TotalSteps = options.Stages.Length * (long)options.EpochsPerStage * StepsPerEpoch;
        Directory.CreateDirectory(options.OutDir);
        if (options.Resume) LoadCheckpoint();
    }

    public string CachePath(string relative)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(relative.Replace('\\', '/'))))[..24].ToLowerInvariant();
        return Path.Combine(_o.CacheDir, hash + ".safetensors");
    }

    /// <summary>Runs the teacher on every image without a cached embedding. <paramref name="teacher"/>: 1×3×1024×1024 (SAM-normalised) → 1×C×64×64.</summary>
    public int FillTeacherCache(Func<Tensor, Tensor> teacher, int teacherSize = 1024, IProgress<int>? progress = null)
    {
        Directory.CreateDirectory(_o.CacheDir);
        int computed = 0;
        for (int i = 0; i < Images.Count; i++)
        {
            var path = CachePath(Images[i]);
            if (!File.Exists(path))
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                using var image = Image.Load<Rgb24>(Path.Combine(_o.ImagesDir, Images[i]));
                var x = Preprocessing.Resize(EpisodeAugmentation.ImageTensor(image).unsqueeze(0), teacherSize, teacherSize);
                var mean = tensor(Uino.Modeling.Sam.SamConfig.PixelMean.ToArray()).reshape(1, 3, 1, 1);
                var std = tensor(Uino.Modeling.Sam.SamConfig.PixelStd.ToArray()).reshape(1, 3, 1, 1);
                var embedding = teacher((x - mean) / std);
                var pooled = nn.functional.adaptive_avg_pool2d(embedding, new long[] { _o.CacheGrid, _o.CacheGrid }).squeeze(0).to(ScalarType.Float16);
                SafeTensors.Save(path, new Dictionary<string, Tensor> { ["embedding"] = pooled },
                                 new Dictionary<string, string> { ["image"] = Images[i].Replace('\\', '/') });
                computed++;
            }
            progress?.Report(i + 1);
        }
        return computed;
    }

    public double LearningRateAt(long step) => _o.LearningRate * Math.Pow(1.0 - (double)step / TotalSteps, 0.9);

    /// <summary>Trains from <see cref="StartStep"/> to <paramref name="stopAt"/> (default: the end), reporting each step.</summary>
    public long Train(IProgress<DistillStepReport>? progress = null, long? stopAt = null)
    {
        long end = Math.Min(stopAt ?? TotalSteps, TotalSteps);
        Adapter.train();
        long step = StartStep;
        for (; step < end; step++)
        {
            long perStage = _o.EpochsPerStage * StepsPerEpoch;
            int stage = (int)(step / perStage);
            long inStage = step % perStage;
            int epoch = (int)(inStage / StepsPerEpoch);
            int index = (int)(inStage % StepsPerEpoch);
            float loss = TrainStep(step, _o.Stages[stage], BatchImages(stage, epoch, index));
            progress?.Report(new DistillStepReport(step + 1, TotalSteps, _o.Stages[stage], loss));
            if ((step + 1) % _o.CheckpointEvery == 0 || step + 1 == end) SaveCheckpoint(step + 1);
        }
        StartStep = step;
        if (step == TotalSteps) SaveAdapter(Path.Combine(_o.OutDir, AdapterName));
        return step;
    }

    /// <summary>The images of one batch: a permutation drawn from (seed, stage, epoch), sliced at the batch index.</summary>
    public IReadOnlyList<string> BatchImages(int stage, int epoch, int index)
    {
        var order = Enumerable.Range(0, Images.Count).ToArray();
        var random = new Random((int)(SceneRandom.Mix(SceneRandom.Mix((ulong)(uint)_o.Seed, (ulong)stage), (ulong)epoch) & 0x7FFFFFFF));
        random.Shuffle(order);
        return order.Skip(index * _o.Batch).Take(_o.Batch).Select(i => Images[i]).ToList();
    }

    private float TrainStep(long step, int size, IReadOnlyList<string> batch)
    {
        using var scope = NewDisposeScope();
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        long grid = size / _encoder.PatchSize;
        foreach (var rel in batch)
        {
            using var image = Image.Load<Rgb24>(Path.Combine(_o.ImagesDir, rel));
            var x = Preprocessing.Resize(EpisodeAugmentation.ImageTensor(image).unsqueeze(0), size, size).squeeze(0);
            inputs.Add(EpisodeAugmentation.Normalize(x));
            var cached = SafeTensors.Load(CachePath(rel));
            var t = cached["embedding"].to(ScalarType.Float32).unsqueeze(0);
            targets.Add(nn.functional.adaptive_avg_pool2d(t, new[] { grid, grid }).squeeze(0));
        }
        var input = stack(inputs);
        var target = stack(targets);
        Tensor low;
        using (no_grad()) low = _encoder.GetIntermediateLayers(input, [_lowBlock])[0];
        var prediction = Adapter.call(low);
        var loss = nn.functional.mse_loss(prediction, target);
        _optim.LearningRate = LearningRateAt(step);
        _optim.ZeroGrad();
        loss.backward();
        _optim.StepOnce();
        return loss.item<float>();
    }

    private string Fingerprint() => string.Join("|", _o.Seed, _o.Batch, _o.LearningRate, _o.WeightDecay, _o.EpochsPerStage,
                                                string.Join(",", _o.Stages), Images.Count, _o.CacheGrid);

    private void SaveCheckpoint(long step) =>
        TrainingCheckpoint.Save(Path.Combine(_o.OutDir, CheckpointName), "distill", step, Fingerprint(), _trainable, _optim, Adapter.named_buffers());

    private void LoadCheckpoint() =>
        StartStep = TrainingCheckpoint.Resume(Path.Combine(_o.OutDir, CheckpointName), Fingerprint(), _trainable, _optim,
                                              "was written by a run with other settings or images; use a new output folder or the same settings.");

    /// <summary>The adapter's tensors under <c>adapter.*</c> (what <c>uino train fss --adapter</c> reads).</summary>
    public void SaveAdapter(string path) =>
        SafeTensors.Save(path, Adapter.state_dict().ToDictionary(kv => "adapter." + kv.Key, kv => kv.Value),
                         new Dictionary<string, string> { ["uino.adapter"] = "1" });

    public void Dispose()
    {
        _optim.Dispose();
        Adapter.Dispose();
    }
}
