using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CsCheck;
using NUnit.Framework;
using Uino.Hardening.Support;

namespace Uino.Hardening.Fuzz;

/// <summary>What a campaign did: inputs run, how many loaded, how many were refused with a documented error.</summary>
internal sealed record FuzzReport(string Target, long Replayed, long Fresh, long Loaded, long Refused, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Target}: {Replayed} corpus inputs replayed, {Fresh} fresh inputs in {Elapsed.TotalSeconds:F1} s; " +
        $"{Loaded} loaded, {Refused} refused with a documented error, 0 failures";
}

/// <summary>
/// Runs a <see cref="FuzzTarget"/>: replays the committed corpus (the seeds, which must load, and every saved
/// regression input), then CsCheck-generated mutations of the seeds. CI runs a fixed number of iterations;
/// <c>scripts/fuzz.sh</c> sets UINO_FUZZ_SECONDS to run for a time. A failing input is saved under
/// artifacts/fuzz-crashes and CsCheck reports the seed that reproduces it (UINO_FUZZ_SEED replays it).
/// </summary>
internal sealed class FuzzCampaign
{
    private readonly FuzzTarget target;
    private readonly byte[][] seeds;
    private readonly TempFolder folder = new();
    private readonly ConcurrentDictionary<int, (string Label, byte[] Input)> inFlight = new();
    private long loaded, refused, fresh;

    private FuzzCampaign(FuzzTarget target)
    {
        this.target = target;
        seeds = target.Seeds.Select(File.ReadAllBytes).ToArray();
    }

    public static FuzzReport Run(FuzzTarget target)
    {
        var campaign = new FuzzCampaign(target);
        try { return campaign.RunAll(); }
        finally { campaign.folder.Dispose(); }
    }

    private FuzzReport RunAll()
    {
        var clock = Stopwatch.StartNew();
        long replayed = Replay();
        var seconds = EnvInt("UINO_FUZZ_SECONDS");
        var iterations = EnvInt("UINO_FUZZ_ITER") ?? target.CiIterations;
        string? seed = Environment.GetEnvironmentVariable("UINO_FUZZ_SEED") is { Length: > 0 } s ? s : null;
        // CsCheck runs on its own threads; a hang would block them forever, so the campaign is awaited with a deadline.
        var work = Task.Run(() =>
        {
            if (seconds is int t)
                FuzzCase.Over(seeds.Length).Sample(RunCase, seed: seed, iter: long.MaxValue, time: t);
            else
                FuzzCase.Over(seeds.Length).Sample(RunCase, seed: seed, iter: iterations);
        });
        var budget = TimeSpan.FromSeconds((seconds ?? 300) + 3 * target.SlowSeconds + 60);
        if (!work.Wait(budget))
            Assert.Fail($"{target.Name}: the campaign did not finish in {budget}; inputs in flight (hang?): " +
                        string.Join("; ", inFlight.Values.Select(v => $"{v.Label}, saved to {Save(v.Input)}")));
        work.GetAwaiter().GetResult();   // rethrows CsCheck's failure report (shrunk case and its seed)
        var report = new FuzzReport(target.Name, replayed, fresh, loaded, refused, clock.Elapsed);
        TestContext.Out.WriteLine(report);
        if (Environment.GetEnvironmentVariable("UINO_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllText(file, report + Environment.NewLine);
        return report;
    }

    /// <summary>The seeds must load (else the campaign would only test error paths); saved regressions must not fail.</summary>
    private long Replay()
    {
        for (int i = 0; i < seeds.Length; i++)
        {
            var path = Write(seeds[i], Path.GetFileName(target.Seeds[i]));
            Assert.DoesNotThrow(() => target.Load(path), $"{target.Name}: corpus seed {target.Seeds[i]} must load");
        }
        var regressions = Path.Combine(HardeningPaths.Corpus, "regressions", target.Name);
        var saved = Directory.Exists(regressions) ? Directory.GetFiles(regressions).Order(StringComparer.Ordinal).ToArray() : [];
        foreach (var file in saved) Check(File.ReadAllBytes(file), $"regression {Path.GetFileName(file)}");
        return seeds.Length + saved.Length;
    }

    private void RunCase(FuzzCase c)
    {
        var input = target.Mutate(seeds[c.Seed], c);
        Check(input, c.ToString());
        Interlocked.Increment(ref fresh);
    }

    private void Check(byte[] input, string label)
    {
        var path = Write(input, $"input-{Environment.CurrentManagedThreadId}{Path.GetExtension(target.Seeds[0])}");
        inFlight[Environment.CurrentManagedThreadId] = (label, input);
        var clock = Stopwatch.StartNew();
        try
        {
            target.Load(path);
            Interlocked.Increment(ref loaded);
        }
        catch (Exception e) when (target.IsDocumented(e) && Names(e.Message, path))
        {
            Interlocked.Increment(ref refused);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"{target.Name}: {e.GetType().FullName} is not a documented outcome ({target.Documented} with a message naming the file); " +
                $"input saved to {Save(input)}; case {label}; message: {e.Message}", e);
        }
        finally { inFlight.TryRemove(Environment.CurrentManagedThreadId, out _); }
        if (clock.Elapsed.TotalSeconds > target.SlowSeconds)
            throw new InvalidOperationException($"{target.Name}: one input took {clock.Elapsed.TotalSeconds:F1} s (limit {target.SlowSeconds} s); saved to {Save(input)}; case {label}");
    }

    private bool Names(string message, string path) =>
        !string.IsNullOrWhiteSpace(message) && (!target.MessageNamesFile || message.Contains(Path.GetFileName(path), StringComparison.Ordinal));

    private string Write(byte[] bytes, string name)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Save(byte[] input)
    {
        Directory.CreateDirectory(HardeningPaths.Crashes);
        var name = $"{target.Name}-{Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant()}{Path.GetExtension(target.Seeds[0])}";
        var path = Path.Combine(HardeningPaths.Crashes, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
}
