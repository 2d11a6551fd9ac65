using System.Diagnostics;
using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Uino.Training.Data;

namespace Uino.Training.Tests.RealPhotos;

/// <summary>
/// Not part of the suite: writes example episodes (support | query, target tinted red, ignore tinted blue) to
/// <c>UINO_REAL_EXAMPLES</c> (default /tmp/realdata-examples) and times batches of 8 training episodes.
/// Run with <c>dotnet test --filter FullyQualifiedName~RealPhotoExamples</c>.
/// </summary>
[TestFixture, Explicit("writes example images and prints timings")]
public class RealPhotoExamples
{
    [Test]
    public void WriteExamples()
    {
        var dir = Environment.GetEnvironmentVariable("UINO_REAL_EXAMPLES") is { Length: > 0 } d ? d : "/tmp/realdata-examples";
        Directory.CreateDirectory(dir);
        for (int i = 0; i < 12; i++)
        {
            using var e = RealData.Train.Sample(new Random(i), 1, i);
            Save(e, Path.Combine(dir, $"train-{i:D2}.png"));
            TestContext.Out.WriteLine($"train-{i:D2}: {e.Support[0].Name}  ||  {e.Query.Name}");
        }
        for (int i = 0; i < 6; i++)
        {
            using var e = RealData.Val.Sample(new Random(0), 1, i);
            Save(e, Path.Combine(dir, $"val-{i:D2}.png"));
            TestContext.Out.WriteLine($"val-{i:D2}: {e.Support[0].Name}  ||  {e.Query.Name}");
        }
    }

    [Test]
    public void TimeBatches()
    {
        var ds = RealData.Train;
        using (ds.Sample(new Random(0), 1, 0)) { }
        for (int b = 0; b < 3; b++)
        {
            var sw = Stopwatch.StartNew();
            var eps = new Episode[8];
            Parallel.For(0, 8, i => eps[i] = ds.Sample(new Random(b * 8 + i + 50), 1, i));
            double sample = sw.Elapsed.TotalMilliseconds;
            foreach (var e in eps) e.Dispose();
            sw.Restart();
            using var batch = EpisodeBatch.ForTraining(ds, 0, b, 8, 1, 252);
            TestContext.Out.WriteLine($"batch {b}: 8 episodes sampled in {sample:F0} ms; EpisodeBatch.ForTraining (sample + augment to 252 px) {sw.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    private static void Save(Episode e, string path)
    {
        using var s = Tinted(e.Support[0]);
        using var q = Tinted(e.Query);
        int h = Math.Max(s.Height, q.Height);
        using var sheet = new Image<Rgb24>(s.Width + q.Width + 8, h, new Rgb24(255, 255, 255));
        sheet.Mutate(c => c.DrawImage(s, new Point(0, 0), 1f).DrawImage(q, new Point(s.Width + 8, 0), 1f));
        sheet.SaveAsPng(path);
    }

    private static Image<Rgb24> Tinted(LabelledImage li)
    {
        var img = li.Image.Clone();
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                byte v = li.Mask[x, y];
                if (v == 0) continue;
                var p = img[x, y];
                img[x, y] = v == 1 ? new Rgb24((byte)((p.R + 255) / 2), (byte)(p.G / 2), (byte)(p.B / 2))
                                   : new Rgb24((byte)(p.R / 2), (byte)(p.G / 2), (byte)((p.B + 255) / 2));
            }
        return img;
    }
}
