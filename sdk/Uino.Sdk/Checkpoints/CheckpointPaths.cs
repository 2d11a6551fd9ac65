namespace Uino.Checkpoints;

/// <summary>Opens checkpoint files so that every way a path can be unusable becomes a clear <see cref="CheckpointException"/>.</summary>
internal static class CheckpointPaths
{
    public static FileStream OpenRead(string path)
    {
        // A directory would otherwise surface as "access denied" on Linux, which sends users looking at permissions.
        if (Directory.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' is a directory, not a file.");
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (FileNotFoundException) { throw new CheckpointException($"Checkpoint '{path}' does not exist."); }
        catch (DirectoryNotFoundException) { throw new CheckpointException($"Checkpoint '{path}' does not exist."); }
        catch (UnauthorizedAccessException e) { throw new CheckpointException($"Checkpoint '{path}' cannot be read: {e.Message}", e); }
        catch (IOException e) { throw new CheckpointException($"Checkpoint '{path}' cannot be read: {e.Message}", e); }
        catch (ArgumentException e) { throw new CheckpointException($"Checkpoint path '{path}' is not a valid path: {e.Message}", e); }
        long limit = UinoLimits.MaxCheckpointBytes;
        if (stream.Length > limit)
        {
            long length = stream.Length;
            stream.Dispose();
            throw new CheckpointException($"Checkpoint '{path}' has {length} bytes, more than UinoLimits.MaxCheckpointBytes ({limit}).");
        }
        return stream;
    }
}
