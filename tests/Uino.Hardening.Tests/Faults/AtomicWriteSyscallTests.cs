using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Uino.Hardening.Child;
using Uino.Hardening.Support;

namespace Uino.Hardening.Faults;

/// <summary>
/// What makes a write survive a power cut, checked on the real syscalls (strace, from scripts/apt-packages.txt):
/// for every write of the output loop, the temporary file is fsynced before the rename, and the folder is fsynced
/// after it. Killing a process (the other tests) only needs the rename; durability needs both fsyncs.
/// </summary>
public partial class AtomicWriteSyscallTests
{
    [Test]
    public void EachWriteSyncsTheFileRenamesThenSyncsTheFolder()
    {
        using var folder = new TempFolder();
        var trace = folder.File("trace.txt");
        var dir = Directory.CreateDirectory(folder.File("out")).FullName;
        var info = new ProcessStartInfo("strace") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "-e", "trace=openat,fsync,rename,close", "-o", trace, Environment.ProcessPath!,
                                  Path.Combine(AppContext.BaseDirectory, "Uino.Hardening.Child.dll"), "write-output", dir })
            info.ArgumentList.Add(a);
        using (var strace = Process.Start(info)!)
        {
            var clock = Stopwatch.StartNew();
            string? line;
            int saves = 0;
            while (saves < 3 && (line = strace.StandardOutput.ReadLine()) != null && clock.Elapsed < TimeSpan.FromMinutes(2))
                if (line.StartsWith("saved ", StringComparison.Ordinal)) saves++;
            strace.Kill(entireProcessTree: true);
            strace.WaitForExit();
            Assert.That(saves, Is.EqualTo(3), $"the traced writer completed 3 writes; stderr: {strace.StandardError.ReadToEnd()}");
        }
        var lines = File.ReadAllLines(trace);
        var fdOfTmp = new Dictionary<string, string>();       // fd -> temporary path, while open
        var events = new List<string>();                       // "fsync tmp", "rename", "fsync dir" in order
        string? dirFd = null;
        foreach (var l in lines)
        {
            if (OpenTmp().Match(l) is { Success: true } o) fdOfTmp[o.Groups["fd"].Value] = o.Groups["path"].Value;
            else if (OpenDir().Match(l) is { Success: true } d && d.Groups["path"].Value == dir) dirFd = d.Groups["fd"].Value;
            else if (Fsync().Match(l) is { Success: true } f)
            {
                if (fdOfTmp.ContainsKey(f.Groups["fd"].Value)) events.Add("fsync tmp");
                else if (f.Groups["fd"].Value == dirFd) events.Add("fsync dir");
            }
            else if (l.Contains("rename(", StringComparison.Ordinal) && l.Contains(OutputLoop.FileName + "\")", StringComparison.Ordinal)) events.Add("rename");
            else if (Close().Match(l) is { Success: true } c) { fdOfTmp.Remove(c.Groups["fd"].Value); if (c.Groups["fd"].Value == dirFd) dirFd = null; }
        }
        var sequence = string.Join(", ", events);
        Assert.That(sequence, Does.StartWith(string.Join(", ", Enumerable.Repeat("fsync tmp, rename, fsync dir", 3))), sequence);
    }

    [GeneratedRegex("openat\\(AT_FDCWD, \"(?<path>[^\"]+\\.tmp)\", O_WRONLY\\|O_CREAT\\|O_EXCL[^)]*\\) = (?<fd>\\d+)")]
    private static partial Regex OpenTmp();

    [GeneratedRegex("openat\\(AT_FDCWD, \"(?<path>[^\"]+)\", O_RDONLY\\) = (?<fd>\\d+)")]
    private static partial Regex OpenDir();

    [GeneratedRegex("fsync\\((?<fd>\\d+)\\)\\s+= 0")]
    private static partial Regex Fsync();

    [GeneratedRegex("close\\((?<fd>\\d+)\\)")]
    private static partial Regex Close();
}
