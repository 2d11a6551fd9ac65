using NUnit.Framework;
using System.Reflection;

namespace Uino.Viewer.Tests.Support;

/// <summary>Where the repository, its samples and the built viewer are (baked in at build time).</summary>
internal static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot => Metadata("RepoRoot");
    public static string Samples => Path.Combine(RepoRoot, "samples");
    public static string Sample(string name) => Path.Combine(Samples, name);
    /// <summary>The synthetic-benchmark model (sdk/models), whose masks on the synthetic samples are known.</summary>
    public static string SyntheticModel => Path.Combine(RepoRoot, "sdk", "models", "uino-synthetic.safetensors");

    /// <summary>The viewer executable as the build left it (an apphost on Linux).</summary>
    public static string ViewerExecutable
    {
        get
        {
            var path = Path.Combine(Metadata("ViewerBuildDir"), OperatingSystem.IsWindows() ? "uino-viewer.exe" : "uino-viewer");
            if (!File.Exists(path)) Assert.Fail($"The viewer is not built at {path}: build viewer/Uino.Viewer in the same configuration as the tests.");
            return path;
        }
    }

    /// <summary>A fresh folder under the test's work directory.</summary>
    public static string NewFolder(string name)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer-tests", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
