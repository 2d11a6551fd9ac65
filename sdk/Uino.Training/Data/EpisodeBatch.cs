using Uino.Training.Data.Synthetic;
using Uino.Modeling;
using static TorchSharp.torch;

namespace Uino.Training.Data;

/// <summary>
/// A batch of B episodes as network inputs: support images B×K×3×S×S (normalised), support masks B×K×S×S (1 where
/// the label is the class, 0 elsewhere — ignored pixels are not foreground), query images B×3×S×S and query labels
/// B×S×S (0, 1, 255).
/// </summary>
internal sealed class EpisodeBatch : IDisposable
{
    public required Tensor SupportImages { get; init; }
    public required Tensor SupportMasks { get; init; }
    public required Tensor QueryImages { get; init; }
    public required Tensor QueryLabels { get; init; }
    public required int[] ClassIds { get; init; }

    public void Dispose()
    {
        SupportImages.Dispose();
        SupportMasks.Dispose();
        QueryImages.Dispose();
        QueryLabels.Dispose();
    }

    /// <summary>
    /// The training batch of <paramref name="step"/>: a pure function of (seed, step) — episode i is sampled and
    /// augmented with its own <see cref="Random"/> seeded from (seed, step, i), so a resumed run sees exactly the
    /// batches an uninterrupted one would.
    /// </summary>
    public static EpisodeBatch ForTraining(IFewShotDataset dataset, int seed, long step, int batch, int shots, int size)
    {
        var items = new (Tensor Si, Tensor Sm, Tensor Q, Tensor L, int Cls)[batch];
        // Episodes are independent (own Random each), so building them in parallel changes nothing in the result.
        Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(batch, Environment.ProcessorCount) }, i =>
        {
            var random = EpisodeRandom(seed, step, i);
            using var episode = dataset.Sample(random, shots, (int)(step * batch + i));
            using var scope = NewDisposeScope();
            var si = new List<Tensor>();
            var sm = new List<Tensor>();
            foreach (var s in episode.Support)
            {
                var (img, lab) = EpisodeAugmentation.Apply(EpisodeAugmentation.ImageTensor(s.Image), EpisodeAugmentation.LabelTensor(s.Mask), size, random);
                si.Add(EpisodeAugmentation.Normalize(img));
                sm.Add(lab.eq(Scalars.One).to(ScalarType.Float32));
            }
            var (qi, ql) = EpisodeAugmentation.Apply(EpisodeAugmentation.ImageTensor(episode.Query.Image), EpisodeAugmentation.LabelTensor(episode.Query.Mask), size, random);
            items[i] = (stack(si).MoveToOuterDisposeScope(), stack(sm).MoveToOuterDisposeScope(),
                        EpisodeAugmentation.Normalize(qi).MoveToOuterDisposeScope(), ql.MoveToOuterDisposeScope(), episode.ClassId);
        });
        try
        {
            return new EpisodeBatch
            {
                SupportImages = stack(items.Select(x => x.Si)),
                SupportMasks = stack(items.Select(x => x.Sm)),
                QueryImages = stack(items.Select(x => x.Q)),
                QueryLabels = stack(items.Select(x => x.L)),
                ClassIds = items.Select(x => x.Cls).ToArray(),
            };
        }
        finally
        {
            foreach (var x in items) { x.Si.Dispose(); x.Sm.Dispose(); x.Q.Dispose(); x.L.Dispose(); }
        }
    }

    /// <summary>The Random of episode <paramref name="item"/> of training step <paramref name="step"/>.</summary>
    public static Random EpisodeRandom(int seed, long step, int item)
    {
        ulong h = SceneRandom.Mix(SceneRandom.Mix((ulong)(uint)seed, (ulong)step), (ulong)item + 0x9E3779B97F4A7C15UL);
        return new Random((int)(h & 0x7FFFFFFF));
    }
}
