using System.Runtime.InteropServices;
using System.Text;

namespace Uino.Native;

/// <summary>
/// UinoStatus* in native memory: [int32 code][int32 byte length][UTF-8 message, NUL-terminated]. Owned by the
/// caller until uino_status_release. When even that allocation fails, a preallocated static out-of-memory status
/// is returned, which release recognises and keeps.
/// </summary>
internal static unsafe class Status
{
    private const int HeaderBytes = 8;
    private static readonly byte* OutOfMemoryStatus = Create(NativeCode.OutOfMemory, "Out of memory.", allowFallback: false);
    private static readonly byte* EmptyString = AllocString("");

    public static byte* Empty => EmptyString;

    public static nint Fail(NativeCode code, string message) => (nint)Create(code, message, allowFallback: true);

    private static byte* Create(NativeCode code, string message, bool allowFallback)
    {
        int len = Encoding.UTF8.GetByteCount(message);
        byte* block;
        // NativeMemory.Alloc throws (it never returns NULL) when malloc fails.
        try { block = (byte*)NativeMemory.Alloc((nuint)(HeaderBytes + len + 1)); }
        catch (OutOfMemoryException) when (allowFallback) { return OutOfMemoryStatus; }
        *(int*)block = (int)code;
        *(int*)(block + 4) = len;
        Encoding.UTF8.GetBytes(message, new Span<byte>(block + HeaderBytes, len));
        block[HeaderBytes + len] = 0;
        return block;
    }

    public static int Code(byte* status) => status == null ? 0 : *(int*)status;

    public static byte* Message(byte* status) => status == null ? EmptyString : status + HeaderBytes;

    public static void Release(byte* status)
    {
        if (status == null || status == OutOfMemoryStatus) return;
        NativeMemory.Free(status);
    }

    /// <summary>A NUL-terminated UTF-8 copy in native memory that lives as long as the process.</summary>
    public static byte* AllocString(string s)
    {
        int len = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)(len + 1));
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, len));
        p[len] = 0;
        return p;
    }

    /// <summary>The static status used when no status can be allocated.</summary>
    public static nint OutOfMemory => (nint)OutOfMemoryStatus;
}
