using System.Collections.Concurrent;
using Uino.Native.Adapter;

namespace Uino.Native;

/// <summary>
/// What a UinoSession* stands for. The pointer the host holds is an opaque, never-reused key into a table, not
/// the address of anything: a NULL, stale (released) or made-up pointer is reported as UINO_INVALID_ARGUMENT
/// instead of being dereferenced. One call at a time per session: a second thread entering while one is inside
/// gets a UINO_RUNTIME_ERROR status ("in use by another thread") and nothing is touched.
/// </summary>
internal sealed class NativeSession
{
    private static readonly ConcurrentDictionary<nint, NativeSession> Live = new();
    private static long nextKey;

    private readonly object gate = new();
    private bool busy, released;
    private int busyThread;

    public AdapterSession Api { get; }

    private NativeSession(AdapterSession api) => Api = api;

    public static nint Register(AdapterSession api)
    {
        // Keys look like aligned addresses in a range no allocator hands out, and never repeat.
        nint key = (nint)(0x7EA5_0000_0000L + 16 * Interlocked.Increment(ref nextKey));
        Live[key] = new NativeSession(api);
        return key;
    }

    /// <summary>Marks the session busy for this thread, or explains why it cannot be used.</summary>
    public static NativeSession? Enter(nint key, string function, out nint status)
    {
        status = 0;
        if (key == 0) { status = Status.Fail(NativeCode.InvalidArgument, $"{function}: session is NULL."); return null; }
        if (!Live.TryGetValue(key, out var s))
        {
            status = Status.Fail(NativeCode.InvalidArgument, $"{function}: 0x{key:x} is not a live session (released, or not from uino_session_create).");
            return null;
        }
        lock (s.gate)
        {
            if (s.released)
            {
                status = Status.Fail(NativeCode.InvalidArgument, $"{function}: the session has been released.");
                return null;
            }
            if (s.busy)
            {
                status = Status.Fail(NativeCode.RuntimeError, s.busyThread == Environment.CurrentManagedThreadId
                    ? $"{function}: the session is already inside a call on this thread (re-entry from a callback)."
                    : $"{function}: the session is in use by another thread; one session serves one call at a time (use one session per thread, or serialise the calls).");
                return null;
            }
            s.busy = true;
            s.busyThread = Environment.CurrentManagedThreadId;
        }
        return s;
    }

    public void Exit()
    {
        bool dispose;
        lock (gate) { busy = false; dispose = released; }
        if (dispose) Api.Dispose();
    }

    /// <summary>Forgets the key; the session is disposed now, or when the call in flight returns.</summary>
    public static void Release(nint key)
    {
        if (key == 0 || !Live.TryRemove(key, out var s)) return;
        bool dispose;
        lock (s.gate) { s.released = true; dispose = !s.busy; }
        if (dispose) s.Api.Dispose();
    }
}
