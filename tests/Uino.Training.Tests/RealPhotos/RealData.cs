using NUnit.Framework;
using Uino.Training.Data;
using Uino.Training.Data.RealPhotos;

namespace Uino.Training.Tests.RealPhotos;

/// <summary>
/// The shared real-photo folder: <c>UINO_REAL_DATA</c> when set, else <c>../shared/data</c> beside the repository
/// (a worktree's or a fresh clone's sibling <c>shared/</c>). Tests needing it fail when it is absent.
/// The catalog and the two splits are opened once per test run (read-only, so tests may share them).
/// </summary>
internal static class RealData
{
    private static readonly Lazy<RealPhotoCatalog?> Catalog = new(() => Directory.Exists(Root) ? RealPhotoCatalog.Open(Root) : null);
    private static readonly Lazy<RealPhotoDataset> TrainSet = new(() => new RealPhotoDataset(Need(), FewShotSplit.Train));
    private static readonly Lazy<RealPhotoDataset> ValSet = new(() => new RealPhotoDataset(Need(), FewShotSplit.Val));

    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("UINO_REAL_DATA");
            if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
            return Path.Combine(RepoPaths.Shared, "data");
        }
    }

    public static RealPhotoCatalog Need() =>
        Catalog.Value ?? throw new AssertionException($"real-photo data not found at {Root}: set UINO_REAL_DATA or lay shared/data beside the repository (CI does)");

    public static RealPhotoDataset Train => TrainSet.Value;
    public static RealPhotoDataset Val => ValSet.Value;
}
