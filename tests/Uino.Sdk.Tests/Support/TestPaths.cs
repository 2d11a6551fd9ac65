namespace Uino.Tests.Support;

/// <summary>Where the repository and the shared reference fixtures are.</summary>
internal static class TestPaths
{
    /// <summary>The repository root: the folder above the test binaries that holds Uino.Sdk.sln.</summary>
    public static string RepoRoot => Uino.Tests.Shared.RepoPaths.Root;

    /// <summary>
    /// The reference fixtures: <c>UINO_FIXTURES</c> when set, else <c>../shared/fixtures</c> beside the repository.
    /// </summary>
    public static string FixtureRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("UINO_FIXTURES");
            return Path.GetFullPath(string.IsNullOrWhiteSpace(env) ? Path.Combine(RepoRoot, "..", "shared", "fixtures") : env);
        }
    }

    /// <summary>
    /// The shared folder beside the repository (<c>../shared</c>): fixtures and dev data, never copied into the repo.
    /// </summary>
    public static string SharedRoot => Uino.Tests.Shared.RepoPaths.Shared;
}

/// <summary>Compares references, not values (TorchSharp parameters overload equality).</summary>
internal sealed class ReferenceEqualityComparer<T> : IEqualityComparer<T> where T : class
{
    public static ReferenceEqualityComparer<T> Instance { get; } = new();
    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);
    public int GetHashCode(T obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
}
