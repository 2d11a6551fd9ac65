namespace Uino.Checkpoints;

/// <summary>
/// A checkpoint file could not be used: it is missing, corrupt, of a format Uino does not read, refused for
/// safety, or its tensors do not fit the architecture. The message names the file and what was wrong.
/// </summary>
public class CheckpointException : Exception
{
    /// <summary>Creates the exception with a message that names the file and the problem.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public CheckpointException(string message, Exception inner) : base(message, inner) { }

    /// <summary>
    /// When the file is not of the format it was read as (an image or a text file given as a safetensors file): what
    /// it is instead, or why it cannot be one ("it is a PNG image"); null otherwise.
    /// </summary>
    internal string? NotThisFormat { get; init; }
}
