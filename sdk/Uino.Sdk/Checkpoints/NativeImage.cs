using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Uino.Checkpoints;

/// <summary>
/// The file of the native library this code is compiled into when it runs ahead of time compiled: under NativeAOT
/// (libuino.so, <c>NativeLib=Shared</c>) <c>Assembly.Location</c> is empty and <see cref="AppContext.BaseDirectory"/>
/// is the host executable's folder, so files shipped beside the library are found from here. It asks the dynamic
/// loader (<c>dladdr</c>) which loaded object holds the code of a method of this assembly; the answer is the path the
/// library was loaded from (through its runpath, <c>LD_LIBRARY_PATH</c>, or the host's absolute path). Null when the
/// code is JIT-compiled (it lives in no library file), off Linux, or when the loader does not know.
/// </summary>
internal static unsafe class NativeImage
{
    private static readonly Lazy<string?> LibraryPathValue = new(Find);

    /// <summary>The absolute path of the library holding this code (e.g. <c>/opt/uino/lib/libuino.so</c>), or null.</summary>
    public static string? LibraryPath => LibraryPathValue.Value;

    // glibc's Dl_info: four pointers.
    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public nint FileName, BaseAddress, SymbolName, SymbolAddress;
    }

    // A method compiled into the image: under NativeAOT its address lies inside the library's mapped text.
    [UnmanagedCallersOnly]
    private static void Anchor() { }

    private static string? Find()
    {
        if (RuntimeFeature.IsDynamicCodeSupported || !OperatingSystem.IsLinux()) return null;
        // dladdr is in libc since glibc 2.34, in libdl before.
        foreach (var name in new[] { "libc.so.6", "libdl.so.2" })
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            try
            {
                if (!NativeLibrary.TryGetExport(handle, "dladdr", out var export)) continue;
                var dladdr = (delegate* unmanaged<void*, DlInfo*, int>)export;
                delegate* unmanaged<void> anchor = &Anchor;
                DlInfo info;
                if (dladdr(anchor, &info) == 0 || info.FileName == 0) return null;
                var path = Marshal.PtrToStringUTF8(info.FileName);
                return string.IsNullOrEmpty(path) ? null : Path.GetFullPath(path);
            }
            finally
            {
                NativeLibrary.Free(handle);
            }
        }
        return null;
    }
}
