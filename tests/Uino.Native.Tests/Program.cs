using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino;
using Uino.Native;
using Uino.Native.Adapter;

// Usage: Uino.Native.Tests <out-dir> <samples-dir> [model-file]
// Writes into <out-dir>: tiny.safetensors (when no model is given), reference.ppm, reference.mask.pgm,
// query.ppm, query.expected.pgm (the .NET API's mask of the query after adding the reference) and expected.txt
// (model path, score, state_dict size and checksum, .NET segment time). The C test host compares against these.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Uino.Native.Tests <out-dir> <samples-dir> [model-file]");
    return 2;
}
string outDir = Path.GetFullPath(args[0]), samples = args[1];
Directory.CreateDirectory(outDir);
string model = args.Length > 2 ? Path.GetFullPath(args[2]) : Path.Combine(outDir, "tiny.safetensors");
if (args.Length <= 2) TestSupport.WriteTinyModel(model, inputSize: 112, seed: 7);

var (refRgb, w, h) = ReadRgb(Path.Combine(samples, "reference.png"));
var (refMask, mw, mh) = ReadGray(Path.Combine(samples, "reference.mask.png"));
var (queryRgb, qw, qh) = ReadRgb(Path.Combine(samples, "query.png"));
if (mw != w || mh != h) throw new InvalidDataException("reference mask size differs from the reference image");
WritePnm(Path.Combine(outDir, "reference.ppm"), "P6", refRgb, w, h);
WritePnm(Path.Combine(outDir, "reference.mask.pgm"), "P5", refMask, w, h);
WritePnm(Path.Combine(outDir, "query.ppm"), "P6", queryRgb, qw, qh);

using var session = new AdapterSession(model, "cpu", 0);
session.AddReference(new PixelBuffer(refRgb, w, h, 3 * w, PixelFormat.Rgb8), refMask, w);
var mask = new byte[qw * qh];
float score = session.Segment(new PixelBuffer(queryRgb, qw, qh, 3 * qw, PixelFormat.Rgb8), mask, qw);
var sw = Stopwatch.StartNew();
const int runs = 3;
for (int i = 0; i < runs; i++) session.Segment(new PixelBuffer(queryRgb, qw, qh, 3 * qw, PixelFormat.Rgb8), mask, qw);
double ms = sw.Elapsed.TotalMilliseconds / runs;
WritePnm(Path.Combine(outDir, "query.expected.pgm"), "P5", mask, qw, qh);
var inv = CultureInfo.InvariantCulture;
File.WriteAllText(Path.Combine(outDir, "expected.txt"), string.Join("\n",
    $"model {model}",
    $"score {score.ToString("R", inv)}",
    $"state_tensors {session.StateTensorCount}",
    $"abs_sum {session.StateChecksum.ToString("R", inv)}",
    $"object_pixels {mask.Count(b => b != 0)}",
    $"dotnet_segment_ms {ms.ToString("F2", inv)}") + "\n");
Console.WriteLine($"test data in {outDir}: model {model}, score {score:F4}, {mask.Count(b => b != 0)} object pixels, .NET segment {ms:F1} ms");
return 0;

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
