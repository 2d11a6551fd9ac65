using System.Collections.Concurrent;
using System.Reflection;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Parity;

/// <summary>
/// Number-for-number parity with the official PyTorch code: one test case per output of every fixture found
/// under <see cref="TestPaths.FixtureRoot"/>. A fixture kind without a runner fails; nothing is skipped.
/// </summary>
[Category("Parity")]
public class ParityTests
{
    private static readonly Dictionary<string, IFixtureRunner> Runners = typeof(ParityTests).Assembly.GetTypes()
        .Where(t => typeof(IFixtureRunner).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
        .Select(t => (IFixtureRunner)Activator.CreateInstance(t)!)
        .ToDictionary(r => r.Kind);

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, Tensor>>> Results = new();

    public static IEnumerable<TestCaseData> Cases()
    {
        var root = TestPaths.FixtureRoot;
        if (!Directory.Exists(root))
        {
            yield return new TestCaseData(root, "(none)").SetName($"Fixture root missing: {root}");
            yield break;
        }
        foreach (var f in FixtureManifest.Discover(root))
            foreach (var output in f.Outputs)
                yield return new TestCaseData(f.Directory, output).SetName($"{f.Kind}/{f.Name}/{output}");
    }

    [TestCaseSource(nameof(Cases))]
    public void OutputMatchesReference(string fixtureDir, string output)
    {
        Assert.That(Directory.Exists(fixtureDir), Is.True,
            $"Fixture folder {fixtureDir} does not exist (set UINO_FIXTURES or place shared/ beside the repository).");
        var fixture = FixtureManifest.Read(fixtureDir);
        Assert.That(Runners.TryGetValue(fixture.Kind, out var runner), Is.True,
            $"No C# runner for fixture kind '{fixture.Kind}' ({fixture.Name}).");

        var results = Results.GetOrAdd(fixtureDir, _ => new Lazy<IReadOnlyDictionary<string, Tensor>>(() =>
        {
            var io = SafeTensors.Load(fixture.IoPath);
            using var _ = no_grad();
            return runner!.Run(fixture, io);
        })).Value;

        using var expectedAll = new DisposableDictionary(SafeTensors.Load(fixture.IoPath));
        Assert.That(expectedAll.Items.ContainsKey(output), Is.True, $"io.safetensors of {fixture.Name} lacks '{output}'.");
        Assert.That(results.ContainsKey(output), Is.True, $"The {fixture.Kind} runner produced no '{output}'.");
        TensorAssert.AllClose(results[output], expectedAll.Items[output], fixture.Atol, fixture.Rtol, $"{fixture.Name}/{output}");
    }

    private sealed class DisposableDictionary(Dictionary<string, Tensor> items) : IDisposable
    {
        public Dictionary<string, Tensor> Items { get; } = items;
        public void Dispose() { foreach (var t in Items.Values) t.Dispose(); }
    }
}
