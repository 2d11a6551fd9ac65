using TorchSharp;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Modeling;
using static TorchSharp.torch;

namespace Uino.Training.Data;

/// <summary>
/// The training augmentation of PFENet/HDMNet (util/transform.py), applied independently to every support and query
/// image of an episode, in their order: RandScale [0.9, 1.1] (image bilinear, label nearest) → RandRotate ±10° with
/// p = 0.5 (image padded with the ImageNet mean, label with 255) → RandomGaussianBlur p = 0.5 (5×5 kernel, σ = 1.1 as
/// OpenCV derives it from the size) → RandomHorizontalFlip p = 0.5 → Crop to the square input size ("rand": pad to at
/// least the size with mean / 255, then a random window, redrawn up to 30 times while it keeps less than 85 % of
/// the foreground; if none does, the whole image is resized — the fallback the reference code intends).
/// All randomness comes from the <see cref="Random"/> passed in, so an augmented episode is a pure function of it.
/// Images are 3×H×W float tensors on the 0–255 scale, labels H×W float tensors with 0, 1 and 255.
/// </summary>
internal static class EpisodeAugmentation
{
    /// <summary>ImageNet mean on the 0–255 scale (the padding value).</summary>
    public static readonly float[] Mean = { 0.485f * 255f, 0.456f * 255f, 0.406f * 255f };
    public static readonly float[] Std = { 0.229f * 255f, 0.224f * 255f, 0.225f * 255f };

    public const double ScaleMin = 0.9, ScaleMax = 1.1, RotateMax = 10.0;

    public static (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, int size, Random random)
    {
        using var scope = NewDisposeScope();
        (image, label) = RandScale(image, label, random);
        (image, label) = RandRotate(image, label, random);
        image = RandomGaussianBlur(image, random);
        (image, label) = RandomHorizontalFlip(image, label, random);
        (image, label) = Crop(image, label, size, random);
        return (image.MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope());
    }

    public static (Tensor, Tensor) RandScale(Tensor image, Tensor label, Random random)
    {
        double s = ScaleMin + (ScaleMax - ScaleMin) * random.NextDouble();
        long h = (long)Math.Round(image.shape[1] * s), w = (long)Math.Round(image.shape[2] * s);
        var img = nn.functional.interpolate(image.unsqueeze(0), new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
        var lab = nn.functional.interpolate(label.unsqueeze(0).unsqueeze(0), new[] { h, w }, mode: InterpolationMode.Nearest).squeeze(0).squeeze(0);
        return (img, lab);
    }

    public static (Tensor, Tensor) RandRotate(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= 0.5) return (image, label);
        double angle = -RotateMax + 2 * RotateMax * random.NextDouble();
        return Rotate(image, label, angle);
    }

    /// <summary>OpenCV's warpAffine with getRotationMatrix2D((w/2, h/2), angle, 1): counter-clockwise for positive angles.</summary>
    public static (Tensor, Tensor) Rotate(Tensor image, Tensor label, double angleDegrees)
    {
        long h = image.shape[1], w = image.shape[2];
        double a = angleDegrees * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        // dst - centre = R (src - centre) with R = [[c, s], [-s, c]]; grid_sample wants src for each dst: R⁻¹ = [[c, -s], [s, c]],
        // in coordinates normalised by the half sizes.
        var theta = tensor(new float[] { (float)c, (float)(-s * h / w), 0f, (float)(s * w / h), (float)c, 0f }).reshape(1, 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { 1, 3, h, w }, align_corners: false);
        var mean = tensor(Mean).reshape(3, 1, 1);
        // add(x, Scalars.One), not "+": the operator makes a temporary alpha Scalar (see Scalars) and this runs on
        // the loader's parallel threads.
        var img = nn.functional.grid_sample((image - mean).unsqueeze(0), grid, mode: GridSampleMode.Bilinear,
                                            padding_mode: GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0).add(mean, Scalars.One);
        var lab = nn.functional.grid_sample((label - Scalars.Ignore).unsqueeze(0).unsqueeze(0), grid, mode: GridSampleMode.Nearest,
                                            padding_mode: GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0).squeeze(0).add(Scalars.Ignore, Scalars.One);
        return (img, lab);
    }

    public static Tensor RandomGaussianBlur(Tensor image, Random random) =>
        random.NextDouble() < 0.5 ? GaussianBlur(image, 5) : image;

    /// <summary>cv2.GaussianBlur(image, (k, k), 0): σ = 0.3((k−1)/2 − 1) + 0.8, reflect-101 borders.</summary>
    public static Tensor GaussianBlur(Tensor image, int k)
    {
        double sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
        var g = new float[k];
        double sum = 0;
        for (int i = 0; i < k; i++) { g[i] = (float)Math.Exp(-Math.Pow(i - (k - 1) / 2.0, 2) / (2 * sigma * sigma)); sum += g[i]; }
        for (int i = 0; i < k; i++) g[i] = (float)(g[i] / sum);
        var kernel = tensor(g);
        int p = k / 2;
        var x = nn.functional.pad(image.unsqueeze(0), new long[] { p, p, p, p }, PaddingModes.Reflect);
        x = nn.functional.conv2d(x, kernel.reshape(1, 1, 1, k).expand(3, 1, 1, k), groups: 3);
        x = nn.functional.conv2d(x, kernel.reshape(1, 1, k, 1).expand(3, 1, k, 1), groups: 3);
        return x.squeeze(0);
    }

    public static (Tensor, Tensor) RandomHorizontalFlip(Tensor image, Tensor label, Random random) =>
        random.NextDouble() < 0.5 ? (image.flip(2), label.flip(1)) : (image, label);

    public static (Tensor, Tensor) Crop(Tensor image, Tensor label, int size, Random random)
    {
        long h = image.shape[1], w = image.shape[2];
        long padH = Math.Max(size - h, 0), padW = Math.Max(size - w, 0);
        if (padH > 0 || padW > 0)
        {
            long top = padH / 2, left = padW / 2;
            var mean = tensor(Mean).reshape(3, 1, 1);
            image = nn.functional.pad(image - mean, new long[] { left, padW - left, top, padH - top }).add(mean, Scalars.One);
            label = nn.functional.pad(label - Scalars.Ignore, new long[] { left, padW - left, top, padH - top }).add(Scalars.Ignore, Scalars.One);
            h += padH;
            w += padW;
        }
        double rawPositive = label.eq(Scalars.One).sum().item<long>();
        for (int attempt = 0; attempt <= 30; attempt++)
        {
            int y = random.Next(0, (int)(h - size) + 1), x = random.Next(0, (int)(w - size) + 1);
            var lab = label.narrow(0, y, size).narrow(1, x, size);
            if (lab.eq(Scalars.One).sum().item<long>() >= 0.85 * rawPositive)
                return (image.narrow(1, y, size).narrow(2, x, size).contiguous(), lab.contiguous());
        }
        var img = nn.functional.interpolate(image.unsqueeze(0), new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
        var l = nn.functional.interpolate(label.unsqueeze(0).unsqueeze(0), new long[] { size, size }, mode: InterpolationMode.Nearest).squeeze(0).squeeze(0);
        return (img, l);
    }

    /// <summary>3×H×W float (0–255) of an RGB image.</summary>
    public static Tensor ImageTensor(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        using var t = tensor(bytes, new long[] { image.Height, image.Width, 3 });
        return t.permute(2, 0, 1).to(ScalarType.Float32);
    }

    /// <summary>H×W float with the label's values (0, 1, 255).</summary>
    public static Tensor LabelTensor(LabelMask mask)
    {
        using var t = tensor(mask.Values, new long[] { mask.Height, mask.Width });
        return t.to(ScalarType.Float32);
    }

    /// <summary>(x − mean) / std with the ImageNet statistics, for 0–255 inputs of any leading shape …×3×H×W.</summary>
    public static Tensor Normalize(Tensor image)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean).reshape(3, 1, 1);
        var std = tensor(Std).reshape(3, 1, 1);
        return ((image - mean) / std).MoveToOuterDisposeScope();
    }
}
