using System.Runtime.InteropServices;
using Uino.Checkpoints;

namespace Uino.Native;

/// <summary>
/// Turns any exception that reaches the boundary into a status: the SDK's own code when it carries one, otherwise
/// by its kind. Messages are prefixed with the C function, so a host's log says which call failed.
/// </summary>
internal static class ErrorMapping
{
    /// <summary>Never throws (a failure to build the status yields the static out-of-memory status).</summary>
    public static nint ToStatus(Exception e, string function)
    {
        try
        {
            var (code, message) = Classify(e);
            return Status.Fail(code, $"{function}: {message}");
        }
        catch { return Status.OutOfMemory; }   // only allocating the message can fail here
    }

    internal static (NativeCode Code, string Message) Classify(Exception e) => e switch
    {
        // libtorch reports a failed allocation as a C++ exception the SDK wraps; for C it is out of memory.
        _ when IsAllocationFailure(e) => (NativeCode.OutOfMemory, "Out of memory: " + e.Message),
        // The API's message names .NET methods; a C host needs the C function.
        UinoNoReferenceException => (NativeCode.NoReference,
            "no reference has been added: call uino_session_add_reference with an image and the object's mask first (again after uino_session_clear_references)."),
        UinoException u => ((NativeCode)(int)u.Code, u.Message),
        ObjectDisposedException => (NativeCode.InvalidArgument,
            "the session was released while this call was in progress or starting (releasing a session that another thread is using is a bug of the caller; see uino.h)."),
        ArgumentException => (NativeCode.InvalidArgument, e.Message),
        FileNotFoundException or DirectoryNotFoundException => (NativeCode.NotFound, e.Message),
        CheckpointException => (NativeCode.InvalidModel, e.Message),
        _ => (NativeCode.RuntimeError, $"{e.GetType().Name}: {e.Message}"),
    };

    private static bool IsAllocationFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is OutOfMemoryException) return true;
            // c10's CPU allocator: "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes";
            // CUDA's caching allocator: "CUDA out of memory".
            if (x is ExternalException && (x.Message.Contains("can't allocate memory", StringComparison.Ordinal) ||
                                           x.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }
}
