using System.Text.Json;
using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Training.Data;
using Uino.Training.Evaluation;

namespace Uino.Training.Tests.Evaluation;

/// <summary>
/// <c>uino eval --episodes DIR</c>: a user's own episode folders, run through the session API with the embedded
/// default model. The folders are written at run time: a coloured disc (the object) on a noisy background.
/// </summary>
[TestFixture, NonParallelizable]
public class EpisodeFolderTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Invoke(args);

    /// <summary>
    /// Three episodes: "a" (PNG), "b" (JPEG images, BMP query, two reference shots) and "c" (PNG, and a query mask
    /// with other nonzero values than 255).
    /// </summary>
    private static TempDir Episodes()
    {
        var dir = new TempDir();
        WriteEpisode(dir.Sub("a"), seed: 1, ".png");
        string b = dir.Sub("b");
        WriteEpisode(b, seed: 2, ".jpg", queryExtension: ".bmp");
        WritePair(b, "reference-2", ".jpg", seed: 7, cx: 30, cy: 40);
        WriteEpisode(dir.Sub("c"), seed: 3, ".png", maskValue: 1);
        return dir;
    }

    private static void WriteEpisode(string folder, int seed, string extension, string? queryExtension = null, byte maskValue = 255)
    {
        WritePair(folder, "reference", extension, seed, cx: 40, cy: 30);
        WritePair(folder, "query", queryExtension ?? extension, seed + 100, cx: 55, cy: 38, maskValue);
    }

    /// <summary><paramref name="stem"/>.ext: a magenta disc at (cx, cy) on grey noise, and <paramref name="stem"/>-mask.png.</summary>
    private static void WritePair(string folder, string stem, string extension, int seed, int cx, int cy, byte maskValue = 255, int width = 96, int height = 72)
    {
        var random = new Random(seed);
        using var image = new Image<Rgb24>(width, height);
        using var mask = new Image<L8>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= 15 * 15;
                byte g = (byte)random.Next(60, 140);
                image[x, y] = inside ? new Rgb24(230, 30, (byte)random.Next(150, 200)) : new Rgb24(g, g, g);
                mask[x, y] = new L8(inside ? maskValue : (byte)0);
            }
        image.Save(Path.Combine(folder, stem + extension));
        mask.SaveAsPng(Path.Combine(folder, stem + "-mask.png"));
    }

    private static JsonElement Json(string output)
    {
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    [Test]
    public void Read_FindsEveryEpisodeAndItsShots_InNameOrder()
    {
        using var dir = Episodes();
        var episodes = EpisodeFolder.Read(dir.Path);
        Assert.That(episodes.Select(e => e.Name), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(episodes.Select(e => e.References.Count), Is.EqualTo(new[] { 1, 2, 1 }));
        Assert.That(Path.GetFileName(episodes[1].References[1].Image), Is.EqualTo("reference-2.jpg"));
        Assert.That(Path.GetFileName(episodes[1].Query), Is.EqualTo("query.bmp"));
    }

    [Test]
    public void Evaluator_PerEpisodeIoUsInRange_MeanIsTheirAverage_ShotsAsLimited()
    {
        using var dir = Episodes();
        var r = EpisodeFolderEvaluator.Run(new EpisodeFolderSettings { Folder = dir.Path, Threads = 1 });
        Assert.That(r.Episodes, Is.EqualTo(3));
        Assert.That(r.DensePrompt, Is.EqualTo("mamba"), "the embedded model is the full variant");
        Assert.That(r.PerEpisode.Select(e => e.Name), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(r.PerEpisode.Select(e => e.Shots), Is.EqualTo(new[] { 1, 2, 1 }), "every reference of a folder is a shot");
        Assert.That(r.PerEpisode.Select(e => e.IoU), Has.All.InRange(0.0, 1.0));
        Assert.That(r.MeanIoU, Is.EqualTo(100 * r.PerEpisode.Average(e => e.IoU)).Within(1e-9));
        Assert.That(r.FbIoU, Is.InRange(0.0, 100.0));
        Assert.That(r.VersusPcs, Is.Null);

        var oneShot = EpisodeFolderEvaluator.Run(new EpisodeFolderSettings { Folder = dir.Path, Shots = 1, Limit = 2, Threads = 1 });
        Assert.That(oneShot.PerEpisode.Select(e => e.Shots), Is.EqualTo(new[] { 1, 1 }), "--shots 1 limits; the limit takes the first episodes");
        Assert.That(oneShot.PerEpisode[0].IoU, Is.EqualTo(r.PerEpisode[0].IoU), "the same episode, the same result");
    }

    [Test]
    public void Json_HasTheAggregateAndThePerEpisodeList_AndWritesOverlays()
    {
        using var dir = Episodes();
        using var overlays = new TempDir();
        var (code, output, err) = Run("eval", "--episodes", dir.Path, "--json", "--threads", "1", "--save-overlays", overlays.Path);
        Assert.That(code, Is.Zero, err);
        var root = Json(output);
        Assert.That(root.EnumerateObject().Select(p => p.Name),
                    Is.EqualTo(new[] { "folder", "shots", "episodes", "miou", "fbiou", "dense_prompt", "seconds", "per_episode" }));
        Assert.That(root.GetProperty("episodes").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("shots").GetInt32(), Is.EqualTo(2));
        var per = root.GetProperty("per_episode").EnumerateArray().ToList();
        Assert.That(per.Select(e => e.GetProperty("name").GetString()), Is.EqualTo(new[] { "a", "b", "c" }));
        var ious = per.Select(e => e.GetProperty("iou").GetDouble()).ToList();
        Assert.That(ious, Has.All.InRange(0.0, 1.0));
        Assert.That(root.GetProperty("miou").GetDouble(), Is.EqualTo(100 * ious.Average()).Within(0.02));
        Assert.That(Directory.GetFiles(overlays.Path).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "a.png", "b.png", "c.png" }));
        using var overlay = Image.Load<Rgb24>(Path.Combine(overlays.Path, "b.png"));
        Assert.That((overlay.Width, overlay.Height), Is.EqualTo((96, 72)), "the query's own size");
    }

    [Test]
    public void DensePromptBoth_PrintsBothPriorsAndThePairedLead()
    {
        using var dir = Episodes();
        var (code, output, err) = Run("eval", "--episodes", dir.Path, "--dense-prompt", "both", "--threads", "1");
        Assert.That(code, Is.Zero, err);
        var lines = output.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3), output);
        Assert.That(lines[0], Does.Contain("3 episodes").And.Contain("dense prompt mamba").And.Contain("mean IoU"));
        Assert.That(lines[1], Does.Contain("dense prompt pcs").And.Contain("mean IoU"));
        Assert.That(lines[2], Does.StartWith("mamba minus pcs:").And.Contain("paired bootstrap 95% interval"));

        (code, output, err) = Run("eval", "--episodes", dir.Path, "--dense-prompt", "both", "--threads", "1", "--json");
        Assert.That(code, Is.Zero, err);
        var root = Json(output);
        var pcs = root.GetProperty("pcs");
        Assert.That(pcs.GetProperty("per_episode").GetArrayLength(), Is.EqualTo(3));
        var lead = root.GetProperty("miou_minus_pcs");
        Assert.That(lead.GetProperty("difference").GetDouble(),
                    Is.EqualTo(root.GetProperty("miou").GetDouble() - pcs.GetProperty("miou").GetDouble()).Within(0.011));
        var ci = lead.GetProperty("ci95").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.That(ci, Has.Length.EqualTo(2));
        Assert.That(ci[0], Is.LessThanOrEqualTo(ci[1]));
        Assert.That(lead.GetProperty("resamples").GetInt32(), Is.EqualTo(2000));
    }

    private static void AssertOneLineError(string[] args, params string[] mentions)
    {
        var (code, output, err) = Run(args);
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("uino eval:"));
        foreach (var m in mentions) Assert.That(err, Does.Contain(m));
    }

    [Test]
    public void MissingFile_SizeMismatch_UnreadableImage_FailInOneLineNamingTheFile()
    {
        using (var dir = Episodes())
        {
            File.Delete(Path.Combine(dir.Path, "b", "query-mask.png"));
            AssertOneLineError(["eval", "--episodes", dir.Path], Path.Combine(dir.Path, "b"), "query mask", "query-mask.png");
        }
        using (var dir = Episodes())
        {
            File.Delete(Path.Combine(dir.Path, "a", "reference-mask.png"));
            AssertOneLineError(["eval", "--episodes", dir.Path], "reference.png", "reference-mask.png");
        }
        using (var dir = Episodes())
        {
            string folder = Path.Combine(dir.Path, "c");
            File.Delete(Path.Combine(folder, "query-mask.png"));
            using (var small = new Image<L8>(48, 36)) small.SaveAsPng(Path.Combine(folder, "query-mask.png"));
            AssertOneLineError(["eval", "--episodes", dir.Path], Path.Combine(folder, "query-mask.png"), "48×36", "96×72", "size");
        }
        using (var dir = Episodes())
        {
            File.WriteAllText(Path.Combine(dir.Path, "a", "query.png"), "not an image");
            AssertOneLineError(["eval", "--episodes", dir.Path], Path.Combine(dir.Path, "a", "query.png"), "not a readable image");
        }
        using (var dir = Episodes())
        {
            using (var empty = new Image<L8>(96, 72)) empty.SaveAsPng(Path.Combine(dir.Path, "c", "reference-mask.png"));
            AssertOneLineError(["eval", "--episodes", dir.Path], "empty", Path.Combine(dir.Path, "c", "reference-mask.png"));
        }
        AssertOneLineError(["eval", "--episodes", "/nonexistent/episodes"], "/nonexistent/episodes", "does not exist");
    }

    [Test]
    public void EpisodesFolderAndDataset_AreAlternatives()
    {
        using var dir = Episodes();
        AssertOneLineError(["eval", "--dataset", "synthetic", "--episodes", dir.Path], "not both");
        AssertOneLineError(["eval"], "--dataset", "--episodes DIR");
        AssertOneLineError(["eval", "--episodes", "12"], "needs --dataset");
        AssertOneLineError(["eval", "--dataset", "synthetic", "--episodes", "2", "--save-overlays", dir.Path], "--save-overlays");
    }
}
