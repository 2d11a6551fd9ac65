using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using TorchSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;
using Uino.Imaging;
using Uino.Modeling;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino;

/// <summary>
/// A loaded UINO-FSS model and its reference: show it the object once (<see cref="AddReference(string, string)"/>:
/// an image and a mask of "this mug"), then <see cref="Segment(string)"/> finds that object in every new frame.
/// Everything the network computes from the references is cached when a reference is added; a frame costs one
/// query pass.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> A session may be shared between threads: every call takes the session's lock, so calls
/// run one at a time, in arrival order (inference already uses every core through the runtime's own thread pool;
/// for parallel frames, create one session per thread). <see cref="Dispose"/> takes the same lock: it waits for a
/// call in progress to finish, and every later call throws <see cref="ObjectDisposedException"/>.</para>
/// <para><b>Memory.</b> Each call frees every tensor it created before it returns; the session holds the weights,
/// the reference shots (resized) and the reference cache until <see cref="Dispose"/>.</para>
/// <para><b>Errors.</b> <see cref="UinoException"/> and its subclasses, classified by <see cref="UinoErrorCode"/>;
/// a failed call leaves the session as it was.</para>
/// </remarks>
/// <example>
/// <code>
/// using var session = new UinoSession(new UinoSessionOptions { ModelPath = "uino.safetensors" });
/// session.AddReference("mug.png", "mug.mask.png");          // once (call again for more shots)
/// foreach (var path in frames)
/// {
///     var result = session.Segment(path);                    // result.Mask: 0/255 at the frame's size
///     if (!result.IsEmpty) Console.WriteLine($"{path}: {result.Area} px, score {result.Score:F2}");
/// }
/// // Camera loop without allocations: session.SegmentInto(new PixelBuffer(bgr, w, h, stride, PixelFormat.Bgr8), maskBuffer);
/// </code>
/// </example>
public sealed class UinoSession : IDisposable
{
    private readonly object gate = new();
    private readonly UinoFss model;
    private readonly Device device;
    private readonly List<(Tensor Image, Tensor Mask)> shots = new();
    private ReferenceFeatures? reference;
    private volatile bool disposed;

    /// <summary>Creates a session on the embedded default model, on the CPU, with default options.</summary>
    public UinoSession() : this(new UinoSessionOptions()) { }

    /// <summary>Loads the model <paramref name="options"/> names.</summary>
    /// <exception cref="UinoArgumentException">An option is invalid (device, input size, threads, variant).</exception>
    /// <exception cref="UinoNotFoundException">A file does not exist, or the build has no embedded default model.</exception>
    /// <exception cref="UinoModelException">The model or a checkpoint is corrupt or does not fit.</exception>
    public UinoSession(UinoSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelLoader.ValidateOptions(options);
        device = ModelLoader.ParseDevice(options.Device);
        if (options.Threads > 0) set_num_threads(options.Threads);
        // Built on a thread of its own: TorchSharp's dispose scopes are per thread, so a scope the caller has open
        // cannot adopt (and later free) the weights.
        model = OffThread(() => ModelLoader.Load(options, device));
    }

    /// <summary>Wraps an already built network (benchmarks and tests); the session owns it from now on.</summary>
    internal UinoSession(UinoFss model, string deviceName = "cpu")
    {
        device = ModelLoader.ParseDevice(deviceName);
        this.model = model;
        model.to(device);
        model.eval();
    }

    private static T OffThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .GetAwaiter().GetResult();

    /// <summary>The square side frames are resized to for inference.</summary>
    public int InputSize => model.Config.InputSize;

    /// <summary>The variant the session runs.</summary>
    public UinoVariant Variant => model.Config.Variant;

    /// <summary>The device inference runs on (<c>"cpu"</c>, <c>"cuda:0"</c>, …).</summary>
    public string Device => device.ToString();

    /// <summary>Number of reference shots added since creation or the last <see cref="ClearReferences"/> (K of K-shot).</summary>
    public int ReferenceCount
    {
        get { lock (gate) { ThrowIfDisposed(); return shots.Count; } }
    }

    /// <summary>The network (tests read its <see cref="UinoFss.ReferenceEncodings"/> counter).</summary>
    internal UinoFss Model => model;

    private StageClock? clock;

    /// <summary>When set, every frame's stages are timed into it (<c>uino bench</c>); null by default.</summary>
    internal StageClock? Clock
    {
        get => clock;
        set { lock (gate) clock = value; }
    }

    // ---------------------------------------------------------------- references

    /// <summary>
    /// Adds a reference shot: <paramref name="image"/> and its <paramref name="mask"/> (same size; nonzero = object).
    /// Each call adds one shot (K-shot); the reference cache is rebuilt from all shots now, never per frame.
    /// </summary>
    /// <exception cref="UinoArgumentException">Sizes differ, or the mask is empty or covers the whole image.</exception>
    public void AddReference(Image<Rgb24> image, Image<L8> mask)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        ThrowIfDisposed();
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new UinoArgumentException($"The reference mask is {mask.Width}×{mask.Height}; the reference image is {image.Width}×{image.Height}. They must be the same size.");
        AddReference(ImageInput.View(image), ImageInput.Bytes(mask), image.Width);
    }

    /// <summary>
    /// Adds a reference shot from an image and a mask of exactly Width×Height bytes (row-major, nonzero = object).
    /// </summary>
    /// <exception cref="UinoArgumentException">The mask length is not Width×Height, or it is empty or full.</exception>
    public void AddReference(Image<Rgb24> image, ReadOnlySpan<byte> mask)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfDisposed();
        if (mask.Length != (long)image.Width * image.Height)
            throw new UinoArgumentException($"The reference mask has {mask.Length} bytes; the reference image is {image.Width}×{image.Height} ({(long)image.Width * image.Height} pixels). They must be the same size.");
        AddReference(ImageInput.View(image), mask, image.Width);
    }

    /// <summary>
    /// Adds a reference shot from files: any image format ImageSharp reads; the mask must have the image's size and
    /// is binarised at 128: a pixel is object when its value (a colour mask: its brightest channel) is at least 128,
    /// so a JPEG's noise or an anti-aliased edge does not grow the object. Masks in memory (the other overloads,
    /// the C ABI) keep "nonzero = object"; save mask files as PNG with 0/255 to make the two agree.
    /// </summary>
    /// <exception cref="UinoNotFoundException">A file does not exist.</exception>
    /// <exception cref="UinoArgumentException">A file is not a readable image, sizes differ, or the mask is empty or full.</exception>
    public void AddReference(string imagePath, string maskPath)
    {
        ThrowIfDisposed();
        string? warning = null;
        using var image = ImageInput.LoadRgb(imagePath, "reference image");
        using var mask = ImageInput.LoadMask(maskPath, "reference mask", w => warning = w);
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new UinoArgumentException($"The reference mask '{maskPath}' is {mask.Width}×{mask.Height}; the reference image '{imagePath}' is {image.Width}×{image.Height}. They must be the same size.");
        AddReference(ImageInput.View(image), ImageInput.Bytes(mask), image.Width);
        if (warning is not null) InputWarning?.Invoke(warning);   // only for a shot that was added
    }

    /// <summary>
    /// Raised after a file input was accepted with a caveat worth telling the user (a mask file that is not 0/255);
    /// the argument is one line. The SDK has no logger: the CLI prints these on stderr.
    /// </summary>
    internal event Action<string>? InputWarning;

    /// <summary>
    /// Adds a reference shot from caller memory: <paramref name="image"/> in any <see cref="PixelFormat"/>, and a
    /// mask of the same width and height, one byte per pixel (nonzero = object), rows
    /// <paramref name="maskStrideBytes"/> apart (0 = tightly packed, i.e. the width).
    /// </summary>
    /// <exception cref="UinoArgumentException">A buffer is too small, a stride too small, the format unknown, the mask empty or full.</exception>
    public void AddReference(PixelBuffer image, ReadOnlySpan<byte> mask, int maskStrideBytes = 0)
    {
        ThrowIfDisposed();
        ValidateBuffer(image, "reference image");
        int stride = maskStrideBytes == 0 ? image.Width : maskStrideBytes;
        if (maskStrideBytes < 0) throw new UinoArgumentException($"The reference mask stride {maskStrideBytes} is negative.");
        ValidateBuffer(new PixelBuffer(mask, image.Width, image.Height, stride, PixelFormat.Gray8), "reference mask");
        CheckMaskCoverage(mask, image.Width, image.Height, stride);

        lock (gate)
        {
            ThrowIfDisposed();
            try
            {
                using var mode = inference_mode();
                using var scope = NewDisposeScope();
                int size = model.Config.InputSize;
                var img = Preprocessing.ToInput(image, size, device);                     // 1×3×S×S
                var m = Preprocessing.MaskToInput(mask, image.Width, image.Height, stride, size, device);   // 1×S×S
                var images = cat(shots.Select(s => s.Image).Append(img).ToList(), 0).unsqueeze(0);         // 1×K×3×S×S
                var masks = cat(shots.Select(s => s.Mask).Append(m).ToList(), 0).unsqueeze(0);             // 1×K×S×S
                var features = model.EncodeReference(images, masks);
                // Commit only after everything succeeded: a failure leaves the previous references in place.
                img.DetachFromDisposeScope();
                m.DetachFromDisposeScope();
                Detach(features);
                shots.Add((img, m));
                reference?.Dispose();
                reference = features;
            }
            catch (ExternalException e)
            {
                throw new UinoException(UinoErrorCode.RuntimeError, $"Encoding the reference failed: {e.Message}", e);
            }
        }
    }

    /// <summary>Forgets every reference shot; <see cref="Segment(string)"/> needs a new one afterwards.</summary>
    public void ClearReferences()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            DisposeReferences();
        }
    }

    // ---------------------------------------------------------------- segmentation

    /// <summary>Segments the reference object in <paramref name="frame"/>.</summary>
    /// <exception cref="UinoNoReferenceException">No reference was added.</exception>
    public SegmentationResult Segment(Image<Rgb24> frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ThrowIfDisposed();
        return Segment(ImageInput.View(frame));
    }

    /// <summary>Segments the reference object in the image file <paramref name="framePath"/>.</summary>
    /// <exception cref="UinoNotFoundException">The file does not exist.</exception>
    /// <exception cref="UinoArgumentException">The file is not a readable image.</exception>
    /// <exception cref="UinoNoReferenceException">No reference was added.</exception>
    public SegmentationResult Segment(string framePath)
    {
        ThrowIfDisposed();
        using var frame = ImageInput.LoadRgb(framePath, "frame");
        return Segment(ImageInput.View(frame));
    }

    /// <summary>Segments the reference object in a frame in caller memory (read in place, no intermediate image).</summary>
    /// <exception cref="UinoArgumentException">Zero size, stride too small, buffer too small, unknown format.</exception>
    /// <exception cref="UinoNoReferenceException">No reference was added.</exception>
    public SegmentationResult Segment(PixelBuffer frame)
    {
        ThrowIfDisposed();
        ValidateBuffer(frame, "frame");
        var mask = new byte[(long)frame.Width * frame.Height];
        var probabilities = new float[mask.Length];
        float score = SegmentInto(frame, mask, frame.Width, probabilities);
        return new SegmentationResult(frame.Width, frame.Height, mask, probabilities, score);
    }

    /// <summary>
    /// Segments a frame into caller buffers, allocating no result memory: <paramref name="mask"/> receives 0/255 per
    /// pixel at the frame's size, rows <paramref name="maskStrideBytes"/> apart (0 = the width; padding bytes are
    /// not touched), and <paramref name="probabilities"/>, when not empty, Width×Height floats (row-major, packed).
    /// </summary>
    /// <returns>The score (see <see cref="SegmentationResult.Score"/>).</returns>
    /// <exception cref="UinoArgumentException">A buffer or stride is too small, or the frame is invalid.</exception>
    /// <exception cref="UinoNoReferenceException">No reference was added.</exception>
    public float SegmentInto(PixelBuffer frame, Span<byte> mask, int maskStrideBytes = 0, Span<float> probabilities = default)
    {
        ThrowIfDisposed();
        ValidateBuffer(frame, "frame");
        int w = frame.Width, h = frame.Height;
        if (maskStrideBytes < 0) throw new UinoArgumentException($"The mask stride {maskStrideBytes} is negative.");
        int stride = maskStrideBytes == 0 ? w : maskStrideBytes;
        ValidateBuffer(new PixelBuffer(mask, w, h, stride, PixelFormat.Gray8), "output mask");
        if (!probabilities.IsEmpty && probabilities.Length < (long)w * h)
            throw new UinoArgumentException($"The probability buffer has {probabilities.Length} floats; a {w}×{h} frame needs {(long)w * h} (or pass an empty span).");

        lock (gate)
        {
            ThrowIfDisposed();
            if (reference is null)
                throw new UinoNoReferenceException("No reference has been added: call AddReference(image, mask) with the object to segment before Segment.");
            try
            {
                using var mode = inference_mode();
                using var scope = NewDisposeScope();
                using var timing = Stages.Listen(clock);
                Tensor input;
                using (Stages.Begin("preprocess")) input = Preprocessing.ToInput(frame, model.Config.InputSize, device);
                var output = model.Segment(input, reference);
                using var post = Stages.Begin("postprocess");
                // Back to the frame: bilinear on the logits (SAM's postprocessing), then logit > 0 ⇔ p > 0.5.
                var logits = nn.functional.interpolate(output.MaskLogits, new long[] { h, w },
                                                       mode: InterpolationMode.Bilinear, align_corners: false);
                var foreground = logits.gt(Scalars.Zero);
                var probability = logits.sigmoid();
                long area = foreground.sum().item<long>();
                float score = area == 0 ? 0f : probability.masked_select(foreground).mean().item<float>();
                var maskBytes = foreground.to(ScalarType.Byte).mul_(Scalars.Byte255).cpu().contiguous();
                var src = maskBytes.bytes;
                for (int y = 0; y < h; y++) src.Slice(y * w, w).CopyTo(mask.Slice(y * stride, w));
                if (!probabilities.IsEmpty)
                {
                    var p = probability.cpu().contiguous();
                    MemoryMarshal.Cast<byte, float>(p.bytes)[..(w * h)].CopyTo(probabilities);
                }
                clock?.EndFrame();
                return score;
            }
            catch (ExternalException e)
            {
                throw new UinoException(UinoErrorCode.RuntimeError, $"Inference failed on a {w}×{h} frame: {e.Message}", e);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void ValidateBuffer(PixelBuffer buffer, string what)
    {
        try { buffer.Validate(what); }
        catch (ArgumentException e) { throw new UinoArgumentException(e.Message, e); }
    }

    /// <summary>An empty mask names nothing; a full one leaves no background to contrast with (Eq. 4–5).</summary>
    private static void CheckMaskCoverage(ReadOnlySpan<byte> mask, int width, int height, int stride)
    {
        bool any = false, all = true;
        for (int y = 0; y < height && (!any || all); y++)
        {
            var row = mask.Slice(y * stride, width);
            if (!any && row.IndexOfAnyExcept((byte)0) >= 0) any = true;
            if (all && row.IndexOf((byte)0) >= 0) all = false;
        }
        if (!any)
            throw new UinoArgumentException($"The reference mask ({width}×{height}) is empty: mark the object's pixels with nonzero values.");
        if (all)
            throw new UinoArgumentException($"The reference mask ({width}×{height}) covers the whole image: the model needs background pixels around the object to contrast with.");
    }

    private static void Detach(ReferenceFeatures features)
    {
        features.SparsePrompt.DetachFromDisposeScope();
        foreach (var t in features.PooledDifferences) t.DetachFromDisposeScope();
        features.MeanForeground?.DetachFromDisposeScope();
        features.Prototype?.DetachFromDisposeScope();
    }

    private void DisposeReferences()
    {
        reference?.Dispose();
        reference = null;
        foreach (var (image, mask) in shots) { image.Dispose(); mask.Dispose(); }
        shots.Clear();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>
    /// Frees the weights and the references. Waits for a call in progress on another thread to finish; later calls
    /// throw <see cref="ObjectDisposedException"/>. Calling it twice is harmless.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            DisposeReferences();
            model.Dispose();
        }
    }
}
