using static TorchSharp.torch;
using Uino.Modeling;

namespace Uino.Imaging;

/// <summary>
/// Turns caller pixels into the model's input exactly as training does: RGB, resized (bilinear, antialiased when
/// shrinking, like PIL) to the square input size, scaled to [0,1] and normalised with ImageNet mean/std
/// (DINOv2's). Masks are resized with the same geometry. Direct resize to a square (HSNet's evaluation
/// convention) keeps the geometry trivially invertible for mapping masks back to the frame.
/// </summary>
internal static class Preprocessing
{
    private static readonly float[] Mean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] Std = { 0.229f, 0.224f, 0.225f };

    /// <summary>Pixels → 1×3×size×size float tensor on <paramref name="device"/>.</summary>
    public static Tensor ToInput(PixelBuffer image, int size, Device device)
    {
        image.Validate();
        using var scope = NewDisposeScope();
        var rgb = ToRgbTensor(image);                                               // H×W×3 uint8 (CPU)
        var x = rgb.to(device).permute(2, 0, 1).unsqueeze(0).to(ScalarType.Float32).div_(Scalars.Ignore);   // 255: the byte range
        x = Resize(x, size, size);
        var mean = tensor(Mean, device: device).reshape(1, 3, 1, 1);
        var std = tensor(Std, device: device).reshape(1, 3, 1, 1);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>A mask (nonzero = object) → 1×size×size float tensor in [0,1] on <paramref name="device"/>.</summary>
    public static Tensor MaskToInput(ReadOnlySpan<byte> mask, int width, int height, int strideBytes, int size, Device device)
    {
        new PixelBuffer(mask, width, height, strideBytes, PixelFormat.Gray8).Validate("mask");
        using var scope = NewDisposeScope();
        var m = empty(new long[] { height, width }, ScalarType.Byte);
        var dst = m.bytes;
        for (int y = 0; y < height; y++)
        {
            var src = mask.Slice(y * strideBytes, width);
            var row = dst.Slice(y * width, width);
            for (int x = 0; x < width; x++) row[x] = src[x] != 0 ? (byte)1 : (byte)0;
        }
        var f = m.to(device).to(ScalarType.Float32).reshape(1, 1, height, width);
        return Resize(f, size, size).clamp(Scalars.Zero, Scalars.One).reshape(1, size, size).MoveToOuterDisposeScope();
    }

    /// <summary>Bilinear resize of B×C×H×W; antialiased when shrinking (PIL's and torchvision's behaviour).</summary>
    public static Tensor Resize(Tensor x, long height, long width)
    {
        if (x.shape[2] == height && x.shape[3] == width) return x.alias();
        bool shrink = height < x.shape[2] || width < x.shape[3];
        return nn.functional.interpolate(x, new[] { height, width }, mode: InterpolationMode.Bilinear,
                                         align_corners: false, antialias: shrink);
    }

    /// <summary>Copies any supported layout into a contiguous H×W×3 RGB byte tensor (one pass, no other copy).</summary>
    private static Tensor ToRgbTensor(PixelBuffer image)
    {
        int w = image.Width, h = image.Height, bpp = PixelBuffer.BytesPerPixel(image.Format);
        var t = empty(new long[] { h, w, 3 }, ScalarType.Byte);
        var dst = t.bytes;
        var src = image.Pixels;
        var format = image.Format;
        for (int y = 0; y < h; y++)
        {
            var s = src.Slice(y * image.StrideBytes, w * bpp);
            var d = dst.Slice(y * w * 3, w * 3);
            switch (format)
            {
                case PixelFormat.Rgb8:
                    s.CopyTo(d);
                    break;
                case PixelFormat.Bgr8:
                    for (int x = 0; x < w; x++) { d[3 * x] = s[3 * x + 2]; d[3 * x + 1] = s[3 * x + 1]; d[3 * x + 2] = s[3 * x]; }
                    break;
                case PixelFormat.Rgba8:
                    for (int x = 0; x < w; x++) { d[3 * x] = s[4 * x]; d[3 * x + 1] = s[4 * x + 1]; d[3 * x + 2] = s[4 * x + 2]; }
                    break;
                case PixelFormat.Bgra8:
                    for (int x = 0; x < w; x++) { d[3 * x] = s[4 * x + 2]; d[3 * x + 1] = s[4 * x + 1]; d[3 * x + 2] = s[4 * x]; }
                    break;
                case PixelFormat.Gray8:
                    for (int x = 0; x < w; x++) { d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = s[x]; }
                    break;
            }
        }
        return t;
    }
}
