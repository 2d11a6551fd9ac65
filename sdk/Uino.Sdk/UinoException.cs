namespace Uino;

/// <summary>
/// What went wrong, as a code. The values are those of the C ABI's <c>uino_status</c> (0 is success there), so a
/// host in another language sees the same classification as a .NET caller.
/// </summary>
public enum UinoErrorCode
{
    /// <summary>An argument is unusable: a bad size, stride, pixel format, option value, an empty mask, a corrupt image.</summary>
    InvalidArgument = 1,
    /// <summary>A file (model, checkpoint, image) does not exist, or the embedded default model is not in this build.</summary>
    NotFound = 2,
    /// <summary>A model or checkpoint file is corrupt, of the wrong kind, or its tensors do not fit the architecture.</summary>
    InvalidModel = 3,
    /// <summary><see cref="UinoSession.Segment(string)"/> (or an overload) was called before any reference was added.</summary>
    NoReference = 4,
    /// <summary>The inference runtime failed (e.g. out of memory).</summary>
    RuntimeError = 5,
}

/// <summary>
/// Base of every error the session API raises on purpose; <see cref="Code"/> classifies it. The derived types let a
/// caller catch one kind; using a disposed session is the standard <see cref="ObjectDisposedException"/> instead.
/// </summary>
public class UinoException : Exception
{
    /// <summary>The classification of the error (the C ABI's status code).</summary>
    public UinoErrorCode Code { get; }

    /// <summary>Creates the exception with a code and a message that says what was wrong.</summary>
    public UinoException(UinoErrorCode code, string message) : base(message) => Code = code;

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public UinoException(UinoErrorCode code, string message, Exception? inner) : base(message, inner) => Code = code;
}

/// <summary>An argument is unusable (<see cref="UinoErrorCode.InvalidArgument"/>); the message names it and why.</summary>
public class UinoArgumentException : UinoException
{
    /// <summary>Creates the exception.</summary>
    public UinoArgumentException(string message, Exception? inner = null) : base(UinoErrorCode.InvalidArgument, message, inner) { }
}

/// <summary>A file does not exist, or this build has no embedded default model (<see cref="UinoErrorCode.NotFound"/>).</summary>
public class UinoNotFoundException : UinoException
{
    /// <summary>The path that was not found, or null for the embedded default model.</summary>
    public string? Path { get; }

    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public UinoNotFoundException(string message, string? path, Exception? inner = null) : base(UinoErrorCode.NotFound, message, inner) => Path = path;
}

/// <summary>
/// A model or checkpoint could not be used (<see cref="UinoErrorCode.InvalidModel"/>): corrupt, not a Uino model,
/// or tensors that do not fit. The inner exception is the checkpoint reader's.
/// </summary>
public class UinoModelException : UinoException
{
    /// <summary>Creates the exception.</summary>
    public UinoModelException(string message, Exception? inner = null) : base(UinoErrorCode.InvalidModel, message, inner) { }
}

/// <summary>Segmentation was asked for before any reference was added (<see cref="UinoErrorCode.NoReference"/>).</summary>
public class UinoNoReferenceException : UinoException
{
    /// <summary>Creates the exception.</summary>
    public UinoNoReferenceException(string message) : base(UinoErrorCode.NoReference, message) { }
}
