namespace Uino.Viewer.Live;

/// <summary>
/// A finished segmentation (numbered by <see cref="PooledItem.Sequence"/>): the 0/255 mask of frame
/// <see cref="FrameSequence"/>, computed against the
/// references of <see cref="Generation"/> (masks of replaced references are not shown).
/// </summary>
internal sealed class MaskFrame : PooledItem
{
    public byte[] Mask { get; private set; } = [];
    public int Width { get; private set; }
    public int Height { get; private set; }
    public long FrameSequence { get; set; }
    public int Generation { get; set; }
    public double LatencyMs { get; set; }

    /// <summary>Makes room for a <paramref name="width"/>×<paramref name="height"/> mask, reallocating only on a size change.</summary>
    public void EnsureSize(int width, int height)
    {
        if (Mask.Length != width * height) Mask = new byte[width * height];
        (Width, Height) = (width, height);
    }
}
