using TorchSharp;
using Uino.Imaging;
using Uino.Modeling;
using Uino.Modeling.Fss;
using Uino.Training.Data;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Evaluation;

/// <summary>What the evaluation reports; <see cref="Scores"/> holds each episode's foreground counts, in order.</summary>
public sealed record EvaluationResult(string Dataset, int Fold, string Split, int Shots, int Episodes, double MeanIoU, double FbIoU,
                                      string DensePrompt, double Seconds, IReadOnlyDictionary<int, double> ClassIoU,
                                      IReadOnlyList<EpisodeScore> Scores)
{
    /// <summary>With <c>--dense-prompt both</c>: the same episodes with the prototype-cosine prior, and this run's lead over it.</summary>
    public PcsComparison? VersusPcs { get; init; }
}

/// <summary>The PCS-prior run of the same episodes and the paired mIoU difference (this run minus PCS).</summary>
public sealed record PcsComparison(EvaluationResult Pcs, MeanIoUDifference Lead);

/// <summary>
/// The standard few-shot evaluation: a fixed seed draws <c>episodes</c> episodes in order (one <see cref="Random"/>
/// for the whole run, as HSNet's fixed-seed test loader); images are resized to the model's square input as the SDK
/// does at inference (bilinear, antialiased when shrinking), support masks are the label's class pixels; the
/// predicted logits are bilinearly upsampled to the query label's ORIGINAL size and thresholded at 0, then compared
/// with the label (255 ignored) by <see cref="FssMetrics"/>.
/// </summary>
internal static class FssEvaluator
{
    public static EvaluationResult Run(UinoFss model, IFewShotDataset dataset, int shots, int episodes, int seed,
                                       bool pcsPrior = false, int batch = 8, Device? device = null, Action<int>? progress = null)
    {
        device ??= CPU;
        model.eval();
        var metrics = new FssMetrics();
        var random = new Random(seed);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int size = model.Config.InputSize;
        for (int start = 0; start < episodes; start += batch)
        {
            int n = Math.Min(batch, episodes - start);
            var list = new List<Episode>(n);
            try
            {
                for (int i = 0; i < n; i++) list.Add(dataset.Sample(random, shots, start + i));
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var si = stack(list.Select(e => stack(e.Support.Select(s => ToInput(s.Image, size)).ToArray()))).to(device);
                var sm = stack(list.Select(e => stack(e.Support.Select(s => MaskInput(s.Mask, size)).ToArray()))).to(device);
                var q = stack(list.Select(e => ToInput(e.Query.Image, size))).to(device);
                using var output = model.Forward(si, sm, q, prototypePrior: pcsPrior);
                var logits = output.MaskLogits.cpu();
                for (int i = 0; i < n; i++)
                {
                    var label = list[i].Query.Mask;
                    var up = nn.functional.interpolate(logits.narrow(0, i, 1), new long[] { label.Height, label.Width },
                                                       mode: InterpolationMode.Bilinear, align_corners: false);
                    var pred = up.gt(Scalars.Zero).to(ScalarType.Byte).contiguous();
                    metrics.Add(list[i].ClassId, pred.bytes, label.Values);
                }
            }
            finally { foreach (var e in list) e.Dispose(); }
            progress?.Invoke(start + n);
        }
        return new EvaluationResult(dataset.Name, dataset.Fold, dataset.Split == FewShotSplit.Train ? "base" : "novel", shots,
                                    metrics.Episodes, metrics.MeanIoU, metrics.FbIoU, pcsPrior ? "pcs" : (model.HasDensePromptGenerator ? "mamba" : "pcs"),
                                    sw.Elapsed.TotalSeconds, metrics.ClassIoU, metrics.Scores);
    }

    /// <summary>3×S×S normalised input, as the SDK's preprocessing (bilinear; antialiased when shrinking).</summary>
    public static Tensor ToInput(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image, int size)
    {
        using var scope = NewDisposeScope();
        var x = EpisodeAugmentation.ImageTensor(image).unsqueeze(0);
        x = Preprocessing.Resize(x, size, size).squeeze(0);
        return EpisodeAugmentation.Normalize(x).MoveToOuterDisposeScope();
    }

    /// <summary>S×S float mask of the class pixels (bilinear, clamped to 0–1, as the SDK resizes reference masks).</summary>
    public static Tensor MaskInput(LabelMask mask, int size)
    {
        using var scope = NewDisposeScope();
        var m = EpisodeAugmentation.LabelTensor(mask).eq(Scalars.One).to(ScalarType.Float32).reshape(1, 1, mask.Height, mask.Width);
        return Preprocessing.Resize(m, size, size).clamp(Scalars.Zero, Scalars.One).reshape(size, size).MoveToOuterDisposeScope();
    }
}
