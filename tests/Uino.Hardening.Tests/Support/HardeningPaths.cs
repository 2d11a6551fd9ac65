namespace Uino.Hardening.Support;

/// <summary>Where the repository, the committed fuzz corpus and the shared fixtures are.</summary>
internal static class HardeningPaths
{
    /// <summary>The repository root: the folder above the test binaries that holds Uino.Sdk.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>tests/Uino.Hardening.Tests/Corpus in the source tree.</summary>
    public static string Corpus => Path.Combine(RepoRoot, "tests", "Uino.Hardening.Tests", "Corpus");

    /// <summary>Where a fuzz failure's input is saved for replay (ignored by git).</summary>
    public static string Crashes => Path.Combine(RepoRoot, "artifacts", "fuzz-crashes");

    public static string Sample(string name) => Path.Combine(RepoRoot, "samples", name);

    /// <summary>The corpus files of one kind (folder), in a fixed order.</summary>
    public static IReadOnlyList<string> CorpusFiles(string folder)
    {
        var dir = Path.Combine(Corpus, folder);
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0) throw new InvalidOperationException($"The fuzz corpus folder '{dir}' is missing or empty.");
        return files;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Uino.Sdk.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Uino.Sdk.sln above {AppContext.BaseDirectory}.");
    }
}

