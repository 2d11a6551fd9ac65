using System.Diagnostics;

namespace Uino;

/// <summary>
/// Writes a file so that readers (and a crash at any point) see either the old file or the complete new one:
/// the content goes to a temporary file in the same folder, is flushed to disk (fsync), renamed over the target,
/// and the folder is fsynced so the rename itself survives a power cut. A process killed mid-write leaves only its
/// temporary file, which the next write of the same target deletes.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        Directory.CreateDirectory(dir);
        DeleteOrphanedTemporaries(dir, name);
        var tmp = Path.Combine(dir, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        DirectorySync.Flush(dir);
    }

    /// <summary>
    /// Deletes <c>.NAME.PID.GUID.tmp</c> files whose writer process no longer exists (killed mid-write). A live PID
    /// is left alone even if it was reused by another program: at worst a stale file stays, never a live one is lost.
    /// </summary>
    private static void DeleteOrphanedTemporaries(string dir, string name)
    {
        string prefix = $".{name}.";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, $".{name}.*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var file in candidates)
        {
            var middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length];   // PID.GUID
            int dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle.AsSpan(0, dot), out int pid) || IsAlive(pid)) continue;
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }              // no such process
        catch (InvalidOperationException) { return false; }      // it exited while we looked
    }
}
