using System.Text.Json;
using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Cli;

namespace Uino.Tests.Api;

/// <summary><c>uino segment</c> and <c>uino bench</c> run in-process on the committed samples with a tiny model.</summary>
[NonParallelizable]                                        // Console is process-wide
public class ApiCliTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => Uino.Tests.Shared.CliRun.Invoke(args);

    private static void AssertOneErrorLine(string err, params string[] fragments)
    {
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("uino segment: ").Or.StartWith("uino bench: "));
        foreach (var f in fragments) Assert.That(err, Does.Contain(f));
    }

    private static void AssertMaskAndOverlay(string dir, string name, int width, int height)
    {
        using var mask = Image.Load<L8>(Path.Combine(dir, name + ".mask.png"));
        Assert.That((mask.Width, mask.Height), Is.EqualTo((width, height)));
        Assert.That(Image.DetectFormat(Path.Combine(dir, name + ".mask.png"))!.Name, Is.EqualTo("PNG"));
        Assert.That(Image.Identify(Path.Combine(dir, name + ".mask.png"))!.PixelType.BitsPerPixel, Is.EqualTo(8), "8-bit mask");
        var bytes = new byte[width * height];
        mask.CopyPixelDataTo(bytes);
        Assert.That(bytes.Distinct().Except(new byte[] { 0, 255 }), Is.Empty, "mask values are 0 or 255");
        var overlay = Image.Identify(Path.Combine(dir, name + ".overlay.png"))!;
        Assert.That((overlay.Width, overlay.Height), Is.EqualTo((width, height)));
        Assert.That(Image.DetectFormat(Path.Combine(dir, name + ".overlay.png"))!.Name, Is.EqualTo("PNG"));
    }

    [Test]
    public void SegmentWritesMaskAndOverlayOfTheQuerySize()
    {
        using var tmp = new TempFolder();
        var outDir = tmp.File("out");
        var (code, stdout, err) = Cli("segment", "--reference", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask,
                                      "--query", ApiModels.QueryImage, "--out", outDir, "--model", ApiModels.Full, "--threads", "2");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("Segmented 1 image(s)"));
        Assert.That(Directory.GetFiles(outDir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "query.mask.png", "query.overlay.png" }),
                    "exactly the two outputs, no temporary files");
        AssertMaskAndOverlay(outDir, "query", 256, 256);

        // The CLI's mask is the API's mask.
        using var session = ApiModels.Open();
        var expected = session.Segment(ApiModels.QueryImage).Mask.ToArray();
        using var written = Image.Load<L8>(Path.Combine(outDir, "query.mask.png"));
        var actual = new byte[256 * 256];
        written.CopyPixelDataTo(actual);
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void SegmentAFolderWithTwoShotsSkipsMasksAndWritesEveryQuery()
    {
        using var tmp = new TempFolder();
        var outDir = tmp.File("out");
        var (code, stdout, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask,
                                      "-r", ApiModels.QueryImage, "--mask", ApiModels.QueryMask,
                                      "-q", ApiModels.Sample("queries"), "-o", outDir, "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("Segmented 2 image(s) with 2 reference shot(s)"));
        Assert.That(Directory.GetFiles(outDir).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "query2.mask.png", "query2.overlay.png", "query3.mask.png", "query3.overlay.png",
        }));
        AssertMaskAndOverlay(outDir, "query2", 256, 256);
        AssertMaskAndOverlay(outDir, "query3", 256, 256);
    }

    /// <summary>A video made from the sample queries (MJPG, quality 100): one mask and overlay per frame, named by index.</summary>
    [Test]
    public void SegmentAVideoWritesEveryFrameAndMatchesTheImagesMasks()
    {
        using var tmp = new TempFolder();
        var frames = new[] { ApiModels.QueryImage, ApiModels.Sample("queries/query2.png"), ApiModels.Sample("queries/query3.png") };
        var video = tmp.File("clip.avi");
        using (var writer = new OpenCvSharp.VideoWriter(video, OpenCvSharp.FourCC.MJPG, 5, new OpenCvSharp.Size(256, 256)))
        {
            Assert.That(writer.IsOpened(), Is.True, "OpenCV could not open an MJPG writer (is libgtk-3-0 installed?)");
            writer.Set(OpenCvSharp.VideoWriterProperties.Quality, 100);
            foreach (var f in frames) { using var m = OpenCvSharp.Cv2.ImRead(f); writer.Write(m); }
        }
        var outDir = tmp.File("out");
        var (code, stdout, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask,
                                      "-q", video, "-o", outDir, "--model", ApiModels.Full);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("Segmented 3 frame(s) of clip.avi"));
        Assert.That(Directory.GetFiles(outDir).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "clip.00000.mask.png", "clip.00000.overlay.png", "clip.00001.mask.png", "clip.00001.overlay.png",
            "clip.00002.mask.png", "clip.00002.overlay.png",
        }));
        using var session = ApiModels.Open();
        for (int i = 0; i < frames.Length; i++)
        {
            AssertMaskAndOverlay(outDir, $"clip.{i:D5}", 256, 256);
            var expected = session.Segment(frames[i]).Mask.ToArray();
            using var written = Image.Load<L8>(Path.Combine(outDir, $"clip.{i:D5}.mask.png"));
            var actual = new byte[256 * 256];
            written.CopyPixelDataTo(actual);
            // JPEG coding moves a few boundary pixels; anything beyond that would be a wrong frame or colour order.
            double agree = actual.Zip(expected).Count(p => p.First == p.Second) / (double)actual.Length;
            Assert.That(agree, Is.GreaterThan(0.98), $"frame {i}: {agree:P2} of the pixels agree with the image's mask");
        }
    }

    [Test]
    public void BadPathsFailWithOneLineAndWriteNothing()
    {
        using var tmp = new TempFolder();
        var outDir = tmp.File("out");
        var missing = tmp.File("missing.png");
        var fake = tmp.File("frames");
        Directory.CreateDirectory(fake);
        File.Copy(ApiModels.QueryImage, Path.Combine(fake, "a.png"));
        File.WriteAllText(Path.Combine(fake, "b.png"), "not a png");                      // a bad image after a good one
        var video = tmp.File("clip.mp4");
        File.WriteAllBytes(video, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());   // not a video
        var cases = new (string[] Args, string[] Fragments)[]
        {
            (new[] { "-r", missing, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage }, new[] { missing, "does not exist" }),
            (new[] { "-r", ApiModels.ReferenceImage, "--mask", missing, "-q", ApiModels.QueryImage }, new[] { missing }),
            (new[] { "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", missing }, new[] { missing }),
            (new[] { "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", fake }, new[] { "b.png", "not a readable image" }),
            (new[] { "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", video }, new[] { "clip.mp4", "not a readable video" }),
            (new[] { "-r", ApiModels.ReferenceImage, "-r", ApiModels.QueryImage, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage },
             new[] { "2 reference(s) and 1 mask(s)" }),
            (new[] { "-r", ApiModels.ReferenceImage, "--mask", ApiModels.Sample("classes.png"), "-q", ApiModels.QueryImage }, new[] { "same size" }),
        };
        foreach (var (args, fragments) in cases)
        {
            var (code, _, err) = Cli(["segment", .. args, "-o", outDir, "--model", ApiModels.Full]);
            Assert.That(code, Is.Not.EqualTo(0), string.Join(" ", args));
            AssertOneErrorLine(err, fragments);
            Assert.That(Directory.Exists(outDir), Is.False, $"no output for: {err}");
        }
        var (c2, _, e2) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage,
                              "-o", outDir, "--model", tmp.File("no-model.safetensors"));
        Assert.That(c2, Is.Not.EqualTo(0));
        AssertOneErrorLine(e2, "no-model.safetensors", "does not exist");
        Assert.That(Directory.Exists(outDir), Is.False);
    }

    [Test]
    public void BenchPrintsTheDocumentedJson()
    {
        var (code, stdout, err) = Cli("bench", "--json", "--model", ApiModels.Full, "--frames", "3", "--warmup", "1", "--sizes", "112,56");
        Assert.That(code, Is.EqualTo(0), err);
        TestContext.Out.WriteLine(stdout);
        using var doc = JsonDocument.Parse(stdout);
        var machine = doc.RootElement.GetProperty("machine");
        Assert.That(machine.GetProperty("cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(machine.GetProperty("torch_threads").GetInt32(), Is.GreaterThan(0));
        Assert.That(machine.GetProperty("os").GetString(), Is.Not.Empty);
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.That(cases.Select(c => c.GetProperty("input").GetInt32()), Is.EqualTo(new[] { 112, 56 }));
        foreach (var c in cases)
        {
            Assert.That(c.GetProperty("model").GetString(), Is.EqualTo("tiny-full.safetensors"));
            Assert.That(c.GetProperty("variant").GetString(), Is.EqualTo("Full"));
            double median = c.GetProperty("frame_ms_median").GetDouble(), p95 = c.GetProperty("frame_ms_p95").GetDouble();
            Assert.That(median, Is.GreaterThan(0));
            Assert.That(p95, Is.GreaterThanOrEqualTo(median));
            Assert.That(c.GetProperty("reference_ms").GetDouble(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("fps").GetDouble(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("peak_rss_mb").GetDouble(), Is.GreaterThan(10));
            var stages = c.GetProperty("stages_ms").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.That(stages.Keys, Is.EqualTo(new[]
            {
                "preprocess", "encoder", "adapter", "visual_prompt", "correlation", "hypercorrelation", "dense_prompt", "decoder", "postprocess",
            }));
            Assert.That(stages.Values, Has.All.GreaterThanOrEqualTo(0));
            Assert.That(stages["encoder"], Is.GreaterThan(0));
            Assert.That(stages["hypercorrelation"], Is.GreaterThan(0), "the full variant runs the MHCM");
            // The stages are parts of the frame: per frame on average they cover most of its time, never more.
            double meanFrame = 1000.0 / c.GetProperty("fps").GetDouble();
            Assert.That(stages.Values.Sum(), Is.LessThanOrEqualTo(meanFrame * 1.05 + 1).And.GreaterThan(meanFrame * 0.5));
        }
    }

    [TestCase(null, "PASSIVE")]
    [TestCase("ACTIVE", "ACTIVE")]
    public void TheSdkChoosesThePassiveOpenMpWaitUnlessTheUserChoseOne(string? userValue, string expected)
    {
        // A fresh process: the policy must be in the C environment before libtorch loads, which only a new process shows.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "uino.dll"), "bench", "--json", "--model", ApiModels.Comp, "--frames", "1", "--warmup", "0" },
        };
        start.Environment.Remove("OMP_WAIT_POLICY");
        if (userValue is not null) start.Environment["OMP_WAIT_POLICY"] = userValue;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(120_000), Is.True, "uino bench did not finish");
        Assert.That(process.ExitCode, Is.EqualTo(0), stderr.Result);
        using var json = System.Text.Json.JsonDocument.Parse(stdout.Result);
        Assert.That(json.RootElement.GetProperty("machine").GetProperty("omp_wait_policy").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void BenchTableAndErrors()
    {
        var (code, stdout, err) = Cli("bench", "--model", ApiModels.Comp, "--frames", "1", "--warmup", "0");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("frame ms median").And.Contain("tiny-comp.safetensors").And.Contain("Comp"));
        Assert.That(stdout, Does.Contain("ms per frame, by stage").And.Contain("encoder").And.Contain("postprocess"));
        var (c1, _, e1) = Cli("bench", "--model", ApiModels.Full, "--sizes", "112,100");
        Assert.That(c1, Is.Not.EqualTo(0));
        AssertOneErrorLine(e1, "Input size 100", "multiple of 14");
        var (c2, _, e2) = Cli("bench", "--model", ApiModels.Full, "--frames", "0");
        Assert.That(c2, Is.Not.EqualTo(0));
        AssertOneErrorLine(e2, "--frames");
        var (c3, _, e3) = Cli("bench", "--model", ApiModels.Full, "--paper-models", "vitx14");
        Assert.That(c3, Is.Not.EqualTo(0));
        AssertOneErrorLine(e3, "'vitx14'", "vits14, vitb14, vitl14");
    }
}
