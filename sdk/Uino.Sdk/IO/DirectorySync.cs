using System.Runtime.InteropServices;

namespace Uino;

/// <summary>
/// fsync of a directory, which makes a rename inside it durable. .NET has no API for it (it refuses to open a
/// directory as a file), so on Linux and macOS it calls open/fsync/close from libc; elsewhere it does nothing
/// (Windows' MoveFileEx is already durable once the file is flushed).
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;     // O_RDONLY: a directory can be opened read-only without O_DIRECTORY
    private const int EINTR = 4, EINVAL = 22;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd;
        do fd = Open(directory, ReadOnly);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (fd < 0) throw new IOException($"Cannot open folder '{directory}' to flush it: errno {Marshal.GetLastPInvokeError()}.");
        try
        {
            // EINVAL: the file system cannot sync a directory (some FUSE and network mounts); the file data itself was
            // already synced, so the write is still complete, only the rename's durability is the file system's.
            if (Fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINVAL) throw new IOException($"Cannot flush folder '{directory}' to disk: errno {errno}.");
            }
        }
        finally { Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
