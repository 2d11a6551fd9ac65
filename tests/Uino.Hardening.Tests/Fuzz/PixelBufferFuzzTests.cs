using System.Globalization;
using CsCheck;
using NUnit.Framework;
using Uino.Hardening.Support;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Fuzzes the raw-buffer API with random sizes, strides, formats, buffer lengths and mask strides, boundary values
/// included: every call either succeeds (and then writes exactly the frame's pixels) or throws
/// <see cref="UinoArgumentException"/> with a message, never another exception.
/// </summary>
[NonParallelizable]
public class PixelBufferFuzzTests
{
    /// <summary>A call described by numbers; buffers are allocated from it (never more than 4 MB).</summary>
    internal sealed record BufferCase(int Op, int Width, int Height, int StrideDelta, int Format, int LengthDelta, int MaskStrideDelta, int Fill)
    {
        public override string ToString() =>
            $"op {Op} {Width}x{Height} format {Format} stride {StrideDelta:+0;-0} length {LengthDelta:+0;-0} mask stride {MaskStrideDelta:+0;-0} fill {Fill}";
    }

    private const int MaxBytes = 4 << 20;

    private static readonly Gen<int> Side = Gen.Frequency(
        (8, Gen.Int[1, 48]), (1, Gen.Int[49, 1500]),
        (1, Gen.OneOf(0, -1, int.MinValue, int.MaxValue, 65536, 1 << 20)));

    private static readonly Gen<int> Delta = Gen.Frequency(
        (6, Gen.Const(0)), (3, Gen.Int[-4, 16]), (1, Gen.OneOf(int.MinValue, int.MaxValue, -1 << 20, 1 << 30)));

    private static readonly Gen<BufferCase> Cases = Gen.Select(
        Gen.Int[0, 3], Side, Side, Delta, Gen.Frequency((9, Gen.Int[0, 4]), (1, Gen.OneOf(5, -1, int.MaxValue))),
        Delta, Delta, Gen.Int[0, 2]).Select(t => new BufferCase(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8));

    [Test]
    public void RawBuffersSegmentOrAreRefused()
    {
        using var session = TinyModels.Open();
        using var references = TinyModels.Open(withReference: false);   // AddReference cases: cleared after each, so K stays 1
        long ok = 0, refused = 0;
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("UINO_FUZZ_ITER"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 2000;
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("UINO_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Cases.Sample(c =>
        {
            try
            {
                Call(session, references, c);
                Interlocked.Increment(ref ok);
            }
            catch (UinoArgumentException e) when (!string.IsNullOrWhiteSpace(e.Message))
            {
                Interlocked.Increment(ref refused);
            }
        }, seed: Environment.GetEnvironmentVariable("UINO_FUZZ_SEED") is { Length: > 0 } seed ? seed : null,
           iter: seconds > 0 ? long.MaxValue : iterations, time: seconds);
        var line = $"pixel-buffer: {ok + refused} fresh calls in {clock.Elapsed.TotalSeconds:F1} s; {ok} segmented, {refused} refused with UinoArgumentException, 0 failures";
        TestContext.Out.WriteLine(line);
        if (Environment.GetEnvironmentVariable("UINO_FUZZ_REPORT") is { Length: > 0 } file) File.AppendAllText(file, line + Environment.NewLine);
        Assert.That(ok, Is.GreaterThan(0), "some generated buffers are valid and segment");
        Assert.That(refused, Is.GreaterThan(0), "some generated buffers are invalid and refused");
    }

    private static void Call(UinoSession session, UinoSession references, BufferCase c)
    {
        int bpp = c.Format is >= 0 and <= 4 ? PixelBuffer.BytesPerPixel((PixelFormat)c.Format) : 3;
        int stride = Clamp((long)c.Width * bpp + c.StrideDelta);
        int length = (int)Math.Clamp((long)(c.Height - 1) * stride + (long)c.Width * bpp + c.LengthDelta, 0, MaxBytes);
        var pixels = new byte[length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 31 + c.Fill);
        var frame = new PixelBuffer(pixels, c.Width, c.Height, stride, (PixelFormat)c.Format);
        int maskStride = Clamp((long)c.Width + c.MaskStrideDelta);
        var mask = new byte[(int)Math.Clamp((long)(c.Height - 1) * maskStride + c.Width + c.LengthDelta, 0, MaxBytes)];
        switch (c.Op)
        {
            case 0:
                var r = session.Segment(frame);
                Assert.That((r.Width, r.Height, r.Mask.Length), Is.EqualTo((c.Width, c.Height, c.Width * c.Height)), c.ToString());
                break;
            case 1:
                var probabilities = new float[Math.Min(MaxBytes / 4, Math.Max(0, c.Width * c.Height + c.LengthDelta))];
                session.SegmentInto(frame, mask, c.MaskStrideDelta == 0 ? 0 : maskStride, probabilities);
                break;
            case 2:
                if (c.Fill == 1) Array.Fill(mask, (byte)1, 0, mask.Length / 2);   // object and background: valid
                else if (c.Fill == 2) Array.Fill(mask, (byte)255);                 // all object: refused, no background
                references.AddReference(frame, mask, c.MaskStrideDelta == 0 ? 0 : maskStride);
                references.ClearReferences();
                break;
            default:
                session.SegmentInto(frame, mask, c.MaskStrideDelta == 0 ? 0 : maskStride);
                break;
        }
    }

    private static int Clamp(long v) => (int)Math.Clamp(v, int.MinValue, int.MaxValue);
}
