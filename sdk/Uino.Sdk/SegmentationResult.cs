using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino;

/// <summary>
/// The segmentation of one frame, at the frame's own size: a binary mask, the per-pixel probability and a score.
/// Immutable; owns only managed memory (nothing to dispose).
/// </summary>
public sealed class SegmentationResult
{
    internal SegmentationResult(int width, int height, byte[] mask, float[] probabilities, float score)
    {
        Width = width;
        Height = height;
        Mask = mask;
        Probabilities = probabilities;
        Score = score;
        int area = 0;
        foreach (var m in mask) if (m != 0) area++;
        Area = area;
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width×Height bytes, row-major without padding: 255 where the object is, 0 elsewhere.</summary>
    public ReadOnlyMemory<byte> Mask { get; }

    /// <summary>
    /// Width×Height probabilities in [0, 1], row-major: the sigmoid of the mask logits bilinearly resized to the
    /// frame. <see cref="Mask"/> is exactly <c>probability &gt; 0.5</c> (logit &gt; 0).
    /// </summary>
    public ReadOnlyMemory<float> Probabilities { get; }

    /// <summary>
    /// Confidence in [0, 1]: the mean probability over the mask's pixels (0 when the mask is empty). Near 1 means
    /// the network is decisive everywhere it claims the object; near 0.5 means the mask is a marginal call. SAM's
    /// IoU head is deliberately not used: UINO-FSS's stage-2 training never supervises it, so it still predicts the
    /// IoU of SAM's own point/box prompts, not of these masks.
    /// </summary>
    public float Score { get; }

    /// <summary>Number of object pixels in <see cref="Mask"/>.</summary>
    public int Area { get; }

    /// <summary>True when no pixel was segmented (the object is probably not in the frame).</summary>
    public bool IsEmpty => Area == 0;

    /// <summary>The mask as an 8-bit grayscale image (0/255), e.g. to save as PNG. The caller disposes it.</summary>
    public Image<L8> ToMaskImage() => Image.LoadPixelData<L8>(Mask.Span, Width, Height);
}
