using System.Collections.Concurrent;

namespace Uino.Native;

/// <summary>
/// What a UinoSession* stands for: a <see cref="UinoSession"/> of the public .NET API behind an opaque key. The
/// pointer the host holds is a never-reused key into a table, not the address of anything, so a NULL, released
/// or made-up pointer is reported as UINO_INVALID_ARGUMENT instead of being dereferenced.
/// </summary>
/// <remarks>
/// Concurrency is the .NET session's: its lock runs calls one at a time, and its Dispose waits for a call in
/// progress. This class adds no lock around those calls; it only guards the lazily computed model info against a
/// concurrent release.
/// </remarks>
internal sealed class NativeSession
{
    private static readonly ConcurrentDictionary<nint, NativeSession> Live = new();
    private static long nextKey;

    private readonly object infoGate = new();
    private bool released;
    private ModelInfo? info;

    public UinoSession Api { get; }

    private NativeSession(UinoSession api) => Api = api;

    public static nint Register(UinoSession api)
    {
        // Keys look like aligned addresses in a range no allocator hands out, and never repeat.
        nint key = (nint)(0x7EA5_0000_0000L + 16 * Interlocked.Increment(ref nextKey));
        Live[key] = new NativeSession(api);
        return key;
    }

    /// <summary>The live session of <paramref name="key"/>, or null and a status that says why there is none.</summary>
    public static NativeSession? Find(nint key, string function, out nint status)
    {
        status = 0;
        if (key == 0) { status = Status.Fail(NativeCode.InvalidArgument, $"{function}: session is NULL."); return null; }
        if (Live.TryGetValue(key, out var s)) return s;
        status = Status.Fail(NativeCode.InvalidArgument, $"{function}: session 0x{key:x} is not a live session (released, or not from uino_session_create).");
        return null;
    }

    /// <summary>The state_dict summary of the loaded network, computed on first use (the weights never change).</summary>
    public ModelInfo Info()
    {
        lock (infoGate)
        {
            ObjectDisposedException.ThrowIf(released, this);
            return info ??= ModelInfo.Of(Api);
        }
    }

    /// <summary>
    /// Forgets the key at once (later calls get UINO_INVALID_ARGUMENT), then disposes the session, which waits for
    /// a call in progress on another thread. NULL and unknown keys are ignored, so a double release is harmless.
    /// </summary>
    public static void Release(nint key)
    {
        if (key == 0 || !Live.TryRemove(key, out var s)) return;
        lock (s.infoGate) s.released = true;
        s.Api.Dispose();
    }
}
