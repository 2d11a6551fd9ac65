namespace Uino.Tests.Shared;

/// <summary>Where the repository, its committed models and the shared data beside it are (every test project).</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: the folder above the test binaries that holds Uino.Sdk.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shared folder beside the repository (<c>../shared</c>): fixtures and data, never copied into the repo.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>The real-photo dev set's episodes (evaluation only).</summary>
    public static string DevEpisodes => Path.Combine(Shared, "data", "dev", "davis2016-dev", "episodes");

    /// <summary>The synthetic-benchmark demo model (a test fixture since the real-photo model became the default).</summary>
    public static string SyntheticModel => Path.Combine(Root, "sdk", "models", "uino-synthetic.safetensors");

    /// <summary>The file the embedded default model is built from.</summary>
    public static string DefaultModel => Path.Combine(Root, "sdk", "models", "uino-default.safetensors");

    /// <summary>A folder that must exist; a missing one fails the test loudly with what to do.</summary>
    public static string Need(string folder) =>
        Directory.Exists(folder) ? folder
            : throw new NUnit.Framework.AssertionException($"{folder} is missing: lay the shared folder beside the repository (CI does).");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Uino.Sdk.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Uino.Sdk.sln above {AppContext.BaseDirectory}.");
    }
}
