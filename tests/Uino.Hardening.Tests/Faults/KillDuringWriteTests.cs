using NUnit.Framework;
using Uino.Hardening.Child;
using Uino.Hardening.Support;

namespace Uino.Hardening.Faults;

/// <summary>
/// kill -9 at random points while a real child process rewrites a training checkpoint or an output PNG in a loop:
/// after every kill the file is either absent (killed before the first write) or exactly one complete version,
/// never torn. Temporary files of killed writers are counted (a kill that landed mid-write leaves one) and must be
/// removed by the next writer.
/// </summary>
[NonParallelizable]
public class KillDuringWriteTests
{
    private const int Kills = 12;

    [Test]
    public void KilledCheckpointWriterLeavesOldOrNewCheckpoint() =>
        KillRepeatedly("write-checkpoint", CheckpointLoop.FileName, path => CheckpointLoop.Validate(path));

    [Test]
    public void KilledOutputWriterLeavesOldOrNewPng() =>
        KillRepeatedly("write-output", OutputLoop.FileName, path => OutputLoop.Validate(path));

    private static void KillRepeatedly(string mode, string fileName, Func<string, long> validate)
    {
        using var folder = new TempFolder();
        var path = folder.File(fileName);
        var random = new Random(1234);
        int midWrite = 0;
        long lastVersion = 0;
        for (int round = 0; round < Kills; round++)
        {
            int staleBefore = Temporaries(folder.Path, fileName).Length;
            using (var child = new ChildProcess(mode, folder.Path))
            {
                // Let it complete 1–3 writes (so the file exists and the next write is under way), then kill at a random instant.
                int target = random.Next(1, 4);
                Assert.That(child.WaitForSaves(target, TimeSpan.FromSeconds(60)), Is.True,
                            $"round {round}: the child reported {child.Saves} saves; stderr: {string.Join("\n", child.Errors)}");
                if (round > 0) Assert.That(Temporaries(folder.Path, fileName), Has.Length.LessThanOrEqualTo(1),
                                           $"round {round}: the new writer removed the {staleBefore} temporary file(s) killed writers left");
                Thread.Sleep(random.Next(0, 120));
                child.KillNow();
            }
            if (Temporaries(folder.Path, fileName).Length > 0) midWrite++;
            long version = validate(path);   // throws on a torn or foreign file
            Assert.That(version, Is.GreaterThanOrEqualTo(1), $"round {round}: version");
            lastVersion = version;
        }
        TestContext.Out.WriteLine($"{mode}: {Kills} kills, {midWrite} landed mid-write (left a temporary file), every file complete (last version {lastVersion})");
        Assert.That(midWrite, Is.GreaterThan(0), "at least one kill landed mid-write, or the test proves nothing");
    }

    private static string[] Temporaries(string dir, string fileName) => Directory.GetFiles(dir, $".{fileName}.*.tmp");
}
