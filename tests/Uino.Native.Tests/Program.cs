using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino;
using Uino.Native;
using Uino.Native.Tests;

// Usage: Uino.Native.Tests <out-dir> <samples-dir>      the C test host's data (below)
//        Uino.Native.Tests --check-errors               the boundary's exception -> UinoCode mapping
// Writes into <out-dir>: tiny.safetensors (a tiny random model: the real format and code paths, fast enough for
// valgrind), reference.ppm, reference.mask.pgm, query.ppm, and for each model M of {tiny, default (the embedded
// one, model_path NULL)}: M.expected.pgm, the public .NET API's mask of the query after adding the reference, and
// in expected.txt the lines "M_score", "M_state_tensors", "M_abs_sum" (ModelInfo as JIT-compiled .NET sees it),
// "M_object_pixels", "M_dotnet_segment_ms" (median of warm SegmentInto calls). The C test host compares against them.
// "default_resnet_file 1" says the embedded model loads its encoder from ResNet18.onnx.
// Also tiny56.safetensors: the same tiny model at a 56 px input, ~4x faster per frame, for the hardening drivers
// native-interop/ci.sh runs (growth check, fuzzing), which need many calls rather than a realistic model.
if (args.Length == 1 && args[0] == "--check-errors") return ErrorMappingChecks.Run();
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Uino.Native.Tests <out-dir> <samples-dir> | --check-errors");
    return 2;
}
string outDir = Path.GetFullPath(args[0]), samples = args[1];
Directory.CreateDirectory(outDir);
string tinyModel = Path.Combine(outDir, "tiny.safetensors");
TestSupport.WriteTinyModel(tinyModel, inputSize: 112, seed: 7);
TestSupport.WriteTinyModel(Path.Combine(outDir, "tiny56.safetensors"), inputSize: 56, seed: 7);

var (refRgb, w, h) = ReadRgb(Path.Combine(samples, "reference.png"));
var (refMask, mw, mh) = ReadGray(Path.Combine(samples, "reference.mask.png"));
var (queryRgb, qw, qh) = ReadRgb(Path.Combine(samples, "query.png"));
if (mw != w || mh != h) throw new InvalidDataException($"reference mask is {mw}x{mh}, the reference image {w}x{h}");
WritePnm(Path.Combine(outDir, "reference.ppm"), "P6", refRgb, w, h);
WritePnm(Path.Combine(outDir, "reference.mask.pgm"), "P5", refMask, w, h);
WritePnm(Path.Combine(outDir, "query.ppm"), "P6", queryRgb, qw, qh);

// Timing settings, the same variables as the C test host's: warm runs (UINO_TEST_RUNS) and the
// intra-op thread count (UINO_TEST_THREADS; 0 = libtorch's default), so C and .NET are timed alike.
int runs = int.TryParse(Environment.GetEnvironmentVariable("UINO_TEST_RUNS"), out var r) && r > 0 ? r : 5;
int threads = int.TryParse(Environment.GetEnvironmentVariable("UINO_TEST_THREADS"), out var t) && t > 0 ? t : 0;
// Untimed calls first (UINO_TEST_WARMUP): JIT-compiled code needs ~30 calls per method before tiered compilation
// replaces its unoptimised first version, so a fair "warm .NET" timing warms up beyond that.
int warmup = int.TryParse(Environment.GetEnvironmentVariable("UINO_TEST_WARMUP"), out var wu) && wu > 0 ? wu : 0;
var lines = new List<string> { $"model {tinyModel}" };
// 1 when the embedded model's encoder weights come from ResNet18.onnx at session creation (the C test then checks
// where libuino finds that file, and the error when it cannot).
lines.Add($"default_resnet_file {(TestSupport.DefaultModelLoadsResNetFile() ? 1 : 0)}");
lines.AddRange(Expect("tiny", new UinoSessionOptions { ModelPath = tinyModel, Threads = threads }));
lines.AddRange(Expect("default", new UinoSessionOptions { Threads = threads }));
File.WriteAllText(Path.Combine(outDir, "expected.txt"), string.Join("\n", lines) + "\n");
return 0;

IEnumerable<string> Expect(string name, UinoSessionOptions options)
{
    using var session = new UinoSession(options);
    session.AddReference(new PixelBuffer(refRgb, w, h, 3 * w, PixelFormat.Rgb8), refMask, w);
    var query = new PixelBuffer(queryRgb, qw, qh, 3 * qw, PixelFormat.Rgb8);
    var mask = new byte[qw * qh];
    float score = session.SegmentInto(query, mask, qw);
    for (int i = 0; i < warmup; i++) session.SegmentInto(query, mask, qw);
    var times = new double[runs];
    for (int i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        session.SegmentInto(query, mask, qw);
        times[i] = sw.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    double ms = times[runs / 2];
    WritePnm(Path.Combine(outDir, $"{name}.expected.pgm"), "P5", mask, qw, qh);
    var info = ModelInfo.Of(session);
    var inv = CultureInfo.InvariantCulture;
    int objectPixels = mask.Count(b => b != 0);
    Console.WriteLine($"{name} model: score {score:F4}, {objectPixels} object pixels, {info.StateTensors} tensors, " +
                      $".NET SegmentInto median {ms:F1} ms, min {times[0]:F1} ms of {runs} after {warmup + 1} untimed, {TorchSharp.torch.get_num_threads()} intra-op threads");
    return [
        $"{name}_score {score.ToString("R", inv)}",
        $"{name}_state_tensors {info.StateTensors}",
        $"{name}_abs_sum {info.AbsSum.ToString("R", inv)}",
        $"{name}_object_pixels {objectPixels}",
        $"{name}_dotnet_segment_ms {ms.ToString("F2", inv)}",
    ];
}

static (byte[] Pixels, int W, int H) ReadRgb(string path)
{
    using var img = Image.Load<Rgb24>(path);
    var bytes = new byte[img.Width * img.Height * 3];
    img.CopyPixelDataTo(bytes);
    return (bytes, img.Width, img.Height);
}

static (byte[] Pixels, int W, int H) ReadGray(string path)
{
    using var img = Image.Load<L8>(path);
    var bytes = new byte[img.Width * img.Height];
    img.CopyPixelDataTo(bytes);
    return (bytes, img.Width, img.Height);
}

static void WritePnm(string path, string magic, byte[] pixels, int w, int h)
{
    using var f = File.Create(path);
    f.Write(System.Text.Encoding.ASCII.GetBytes($"{magic}\n{w} {h}\n255\n"));
    f.Write(pixels);
}
