using Uino.Training.Data;

namespace Uino.Training.Evaluation;

/// <summary>
/// The few-shot segmentation metrics of the standard protocol (PFENet/HSNet), accumulated over episodes at the
/// label's resolution, pixels labelled 255 excluded:
/// mIoU = mean over the classes that occurred of Σ intersection / Σ union over that class's episodes (foreground);
/// FB-IoU = mean of the foreground IoU and the background IoU, each Σ intersection / Σ union over all episodes.
/// Both in percent. A class whose union stays 0 counts as IoU 0 (HSNet divides by max(union, 1)).
/// </summary>
public sealed class FssMetrics
{
    private readonly SortedDictionary<int, (long Inter, long Union)> _classes = new();
    private readonly List<EpisodeScore> _scores = new();
    private long _fgInter, _fgUnion, _bgInter, _bgUnion;

    public int Episodes => _scores.Count;

    /// <summary>Each episode's foreground intersection and union, in order: what a paired comparison resamples.</summary>
    public IReadOnlyList<EpisodeScore> Scores => _scores;

    /// <summary>Adds one episode: <paramref name="prediction"/> 0/1 per pixel, <paramref name="label"/> 0/1/255, same size.</summary>
    public void Add(int classId, ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> label)
    {
        if (prediction.Length != label.Length)
            throw new ArgumentException($"Prediction has {prediction.Length} pixels, the label {label.Length}.");
        long fgI = 0, fgU = 0, bgI = 0, bgU = 0;
        for (int i = 0; i < label.Length; i++)
        {
            byte l = label[i];
            if (l == LabelMask.Ignore) continue;
            bool p = prediction[i] != 0, t = l == 1;
            if (p && t) fgI++;
            if (p || t) fgU++;
            if (!p && !t) bgI++;
            if (!p || !t) bgU++;
        }
        _classes.TryGetValue(classId, out var c);
        _classes[classId] = (c.Inter + fgI, c.Union + fgU);
        _fgInter += fgI; _fgUnion += fgU; _bgInter += bgI; _bgUnion += bgU;
        _scores.Add(new EpisodeScore(classId, fgI, fgU));
    }

    /// <summary>Per-class foreground IoU in percent.</summary>
    public IReadOnlyDictionary<int, double> ClassIoU =>
        _classes.ToDictionary(kv => kv.Key, kv => IoU(kv.Value.Inter, kv.Value.Union));

    /// <summary>One class's IoU in percent from its accumulated counts; a union of 0 counts as 0 (HSNet's max(union, 1)).</summary>
    internal static double IoU(long intersection, long union) => 100.0 * intersection / Math.Max(union, 1);

    public double MeanIoU => _classes.Count == 0 ? 0 : ClassIoU.Values.Average();

    public double FbIoU => 50.0 * ((double)_fgInter / Math.Max(_fgUnion, 1) + (double)_bgInter / Math.Max(_bgUnion, 1));
}

/// <summary>One episode's foreground pixels: its class, |prediction ∩ label| and |prediction ∪ label| (255 excluded).</summary>
public readonly record struct EpisodeScore(int ClassId, long Intersection, long Union);
