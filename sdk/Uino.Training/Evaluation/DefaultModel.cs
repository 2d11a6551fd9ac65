namespace Uino.Training.Evaluation;

/// <summary>
/// Where the default (embedded) model lives until the SDK serves it from its embedded resource: the environment
/// variable UINO_DEFAULT_MODEL, else <c>sdk/models/uino-default.safetensors</c> found by walking up from the
/// application folder and from the current folder.
/// </summary>
internal static class DefaultModel
{
    public const string RelativePath = "sdk/models/uino-default.safetensors";

    public static string Resolve()
    {
        var env = Environment.GetEnvironmentVariable("UINO_DEFAULT_MODEL");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException($"No default model: set UINO_DEFAULT_MODEL or give --model (looked for {RelativePath} above '{AppContext.BaseDirectory}').");
    }
}
