using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Loads a checkpoint whatever its format, chosen by content rather than by file extension (downloads are often
/// renamed): a zip archive is a PyTorch <c>.pth</c>, anything else is read as safetensors.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Loads every tensor of <paramref name="path"/> (PyTorch zip or safetensors) onto the CPU, name → tensor.</summary>
    /// <exception cref="CheckpointException">The file is missing, unreadable, corrupt or refused; the message says which.</exception>
    public static Dictionary<string, Tensor> Load(string path) =>
        IsZip(path) ? PyTorchCheckpoint.Load(path) : SafeTensors.Load(path);

    private static bool IsZip(string path)
    {
        using var stream = CheckpointPaths.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        int n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n == 0) throw new CheckpointException($"Checkpoint '{path}' is empty.");
        return n == 4 && head.SequenceEqual("PK\x03\x04"u8);
    }
}
