namespace Uino;

/// <summary>
/// Process-wide size limits on what Uino accepts from files and callers, so a hostile or broken input is refused
/// with a clear error before it is decoded or allocated (a 50 KB PNG can declare 100 000 × 100 000 pixels; a
/// 1 KB checkpoint header can claim a terabyte tensor). The defaults accept every real camera frame and official
/// checkpoint; lower them for a tighter memory budget. Changes apply to calls that start afterwards, in every session.
/// </summary>
/// <remarks>
/// Exceeding a limit is a <see cref="UinoArgumentException"/> for images and buffers and a
/// <see cref="Checkpoints.CheckpointException"/> (a <see cref="UinoModelException"/> through the session API) for
/// checkpoint files; the message names the limit and the value that exceeded it.
/// </remarks>
public static class UinoLimits
{
    /// <summary>Default <see cref="MaxImagePixels"/>: 8192 × 8192.</summary>
    public const long DefaultMaxImagePixels = 8192L * 8192;

    /// <summary>Default <see cref="MaxCheckpointBytes"/>: 16 GiB (the largest official checkpoint, DINOv2 ViT-g, is 4.2 GB).</summary>
    public const long DefaultMaxCheckpointBytes = 16L << 30;

    /// <summary>
    /// Largest <see cref="MaxImagePixels"/> that can be set: a frame's per-pixel float probabilities are copied
    /// through one span, which holds at most 2 GiB.
    /// </summary>
    public const long HardMaxImagePixels = int.MaxValue / sizeof(float);

    /// <summary>Largest (and default) <see cref="MaxTensorBytes"/>: a tensor is read through one span of at most 2 GiB.</summary>
    public const long HardMaxTensorBytes = int.MaxValue;

    private static long maxImagePixels = DefaultMaxImagePixels;
    private static long maxCheckpointBytes = DefaultMaxCheckpointBytes;
    private static long maxTensorBytes = HardMaxTensorBytes;

    /// <summary>
    /// Largest image or frame accepted, in pixels (width × height): image files are refused by the size their header
    /// declares, before decoding; raw <see cref="PixelBuffer"/>s by their width and height.
    /// </summary>
    public static long MaxImagePixels
    {
        get => Volatile.Read(ref maxImagePixels);
        set => Volatile.Write(ref maxImagePixels, Checked(value, HardMaxImagePixels, nameof(MaxImagePixels)));
    }

    /// <summary>Largest checkpoint or model file accepted, in bytes (checked before anything is read).</summary>
    public static long MaxCheckpointBytes
    {
        get => Volatile.Read(ref maxCheckpointBytes);
        set => Volatile.Write(ref maxCheckpointBytes, Checked(value, long.MaxValue, nameof(MaxCheckpointBytes)));
    }

    /// <summary>Largest single tensor (or .pth storage) a checkpoint may declare, in bytes (checked before allocating).</summary>
    public static long MaxTensorBytes
    {
        get => Volatile.Read(ref maxTensorBytes);
        set => Volatile.Write(ref maxTensorBytes, Checked(value, HardMaxTensorBytes, nameof(MaxTensorBytes)));
    }

    /// <summary>Restores every limit to its default.</summary>
    public static void Reset()
    {
        MaxImagePixels = DefaultMaxImagePixels;
        MaxCheckpointBytes = DefaultMaxCheckpointBytes;
        MaxTensorBytes = HardMaxTensorBytes;
    }

    private static long Checked(long value, long max, string name) =>
        value > 0 && value <= max
            ? value
            : throw new UinoArgumentException($"UinoLimits.{name} = {value} is out of range; it must be between 1 and {max}.");
}
