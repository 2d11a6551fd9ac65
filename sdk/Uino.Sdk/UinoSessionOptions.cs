namespace Uino;

/// <summary>
/// How a <see cref="UinoSession"/> is created: which model, on which device, at which input size. Every property
/// has a usable default, so <c>new UinoSession()</c> runs the embedded default model on the CPU. The options are
/// read once, when the session is created; changing them afterwards has no effect on it.
/// </summary>
public sealed class UinoSessionOptions
{
    /// <summary>
    /// A Uino model file (<c>.safetensors</c> with the model configuration in its metadata), or null for the
    /// default model embedded in Uino.Sdk.
    /// </summary>
    public string? ModelPath { get; init; }

    /// <summary>
    /// The official DINOv2 checkpoint (<c>.pth</c> or <c>.safetensors</c>) a segmenter-only model file was trained
    /// on. Required for such files, ignored for files that include the encoder.
    /// </summary>
    public string? EncoderCheckpoint { get; init; }

    /// <summary>
    /// Optional SAM checkpoint whose prompt encoder and mask decoder replace the model file's (the stage-2
    /// initialisation; useful to look at an untrained segmenter, not for production).
    /// </summary>
    public string? SamCheckpoint { get; init; }

    /// <summary>
    /// Null runs the variant the model was trained as. An override is accepted only where the file holds every
    /// weight the requested variant needs: <see cref="UinoVariant.Comp"/> ↔ <see cref="UinoVariant.CompStar"/>
    /// (identical at inference; they differ only in what training updates), and
    /// <see cref="UinoVariant.Full"/>/<see cref="UinoVariant.Cp4d"/> → Comp/CompStar (drops the dense prompt
    /// generator and uses the prototype-cosine prior with the same decoder: an ablation). Anything else is a
    /// <see cref="UinoArgumentException"/>.
    /// </summary>
    public UinoVariant? Variant { get; init; }

    /// <summary>
    /// <c>"cpu"</c> (default), <c>"cuda"</c> or <c>"cuda:N"</c>. This build is CPU-only (TorchSharp-cpu): a CUDA
    /// device is refused with a <see cref="UinoArgumentException"/> that says so.
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Intra-op threads for inference; 0 (default) keeps the library's setting (one per core). The thread pool is
    /// process-wide in the underlying runtime, so this affects every session of the process.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// The square side frames are resized to before inference; null (default) uses the size the model was trained
    /// at. Any positive multiple of 14 (the patch size) works, since the weights do not depend on it: smaller is
    /// faster (latency grows with the square of the token count) and coarser.
    /// </summary>
    public int? InputSize { get; init; }
}
