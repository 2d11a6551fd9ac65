using Uino.Checkpoints;
using Uino.Imaging;
using Uino.Modeling.Fss;
using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Native.Adapter;

/// <summary>What went wrong, in the C ABI's terms (values of UinoCode).</summary>
internal enum NativeCode
{
    Ok = 0, InvalidArgument = 1, NotFound = 2, InvalidModel = 3, NoReference = 4, RuntimeError = 5, OutOfMemory = 6,
}

/// <summary>An error the adapter raises with its C code already decided.</summary>
internal sealed class AdapterException(NativeCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public NativeCode Code { get; } = code;
}

/// <summary>
/// STAND-IN for the public Uino.UinoSession of the `api` branch until that is merged: the same shape
/// (options → session, AddReference, ClearReferences, Segment into a caller buffer), built on the internal
/// model types. The C boundary (<see cref="NativeSession"/>) only talks to this class.
/// </summary>
internal sealed class AdapterSession : IDisposable
{
    private readonly UinoFss model;
    private readonly Device device;
    private readonly List<(Tensor Image, Tensor Mask)> shots = new();
    private ReferenceFeatures? cache;

    public AdapterSession(string? modelPath, string? deviceName, int numThreads)
    {
        if (numThreads < 0) throw new AdapterException(NativeCode.InvalidArgument, $"num_threads is {numThreads}; use 0 for the default or a positive count.");
        device = ParseDevice(deviceName ?? "cpu");
        if (modelPath is null)
            throw new AdapterException(NativeCode.NotFound, "This build has no embedded default model; give model_path.");
        if (modelPath.Length == 0) throw new AdapterException(NativeCode.InvalidArgument, "model_path is an empty string.");
        if (!File.Exists(modelPath))
            throw new AdapterException(NativeCode.NotFound, Directory.Exists(modelPath)
                ? $"Model path '{modelPath}' is a directory, not a model file."
                : $"Model file '{modelPath}' does not exist.");
        if (numThreads > 0) set_num_threads(numThreads);
        try { model = UinoModelFile.Load(modelPath); }
        catch (CheckpointException e) { throw new AdapterException(NativeCode.InvalidModel, e.Message, e); }
        model.eval();
        if (device.type != DeviceType.CPU) model.to(device);
    }

    public long StateTensorCount => model.state_dict().Count;
    public double StateChecksum
    {
        get
        {
            using var _ = no_grad();
            double sum = 0;
            foreach (var (_, t) in model.state_dict()) using (var a = t.to(ScalarType.Float64).abs().sum()) sum += a.item<double>();
            return sum;
        }
    }

    private static Device ParseDevice(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (n.Length > 5 && !int.TryParse(n.AsSpan(5), out _))
                throw new AdapterException(NativeCode.InvalidArgument, $"Device '{name}' is not one of \"cpu\", \"cuda\", \"cuda:N\".");
            if (!cuda.is_available())
                throw new AdapterException(NativeCode.RuntimeError, $"Device '{name}': CUDA is not available in this build or on this machine.");
            return new Device(n);
        }
        throw new AdapterException(NativeCode.InvalidArgument, $"Device '{name}' is not one of \"cpu\", \"cuda\", \"cuda:N\".");
    }

    public void AddReference(PixelBuffer image, ReadOnlySpan<byte> mask, int maskStride)
    {
        image.Validate("reference image");
        int size = model.Config.InputSize;
        var img = Preprocessing.ToInput(image, size, device);
        try
        {
            var m = Preprocessing.MaskToInput(mask, image.Width, image.Height, maskStride, size, device);
            shots.Add((img, m));
        }
        catch { img.Dispose(); throw; }
        cache?.Dispose();
        cache = null;
    }

    public void ClearReferences()
    {
        foreach (var (i, m) in shots) { i.Dispose(); m.Dispose(); }
        shots.Clear();
        cache?.Dispose();
        cache = null;
    }

    /// <summary>Writes 255 (object) / 0 into <paramref name="maskOut"/>; returns the model's confidence in [0,1].</summary>
    public float Segment(PixelBuffer frame, Span<byte> maskOut, int maskStride)
    {
        frame.Validate("frame");
        new PixelBuffer(maskOut, frame.Width, frame.Height, maskStride, PixelFormat.Gray8).Validate("output mask");
        if (shots.Count == 0)
            throw new AdapterException(NativeCode.NoReference, "No reference: call add_reference with an image and its mask before segmenting.");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        if (cache is null)
        {
            var images = stack(shots.Select(s => s.Image.squeeze(0)).ToArray()).unsqueeze(0);   // 1×K×3×S×S
            var masks = stack(shots.Select(s => s.Mask.squeeze(0)).ToArray()).unsqueeze(0);     // 1×K×S×S
            var features = model.EncodeReference(images, masks);
            features.SparsePrompt.MoveToOuterDisposeScope();
            foreach (var p in features.PooledDifferences) p.MoveToOuterDisposeScope();
            features.MeanForeground?.MoveToOuterDisposeScope();
            features.Prototype?.MoveToOuterDisposeScope();
            cache = features;
        }
        var input = Preprocessing.ToInput(frame, model.Config.InputSize, device);
        using var output = model.Segment(input, cache);
        var logits = Preprocessing.Resize(output.MaskLogits, frame.Height, frame.Width);
        var binary = (logits > 0).to(ScalarType.Byte).mul_(255).reshape(frame.Height, frame.Width).cpu().contiguous();
        var bytes = binary.bytes;
        int w = frame.Width;
        for (int y = 0; y < frame.Height; y++) bytes.Slice(y * w, w).CopyTo(maskOut.Slice(y * maskStride, w));
        return output.IouPrediction.flatten()[0].clamp(0, 1).cpu().item<float>();
    }

    public void Dispose()
    {
        ClearReferences();
        model.Dispose();
    }
}
