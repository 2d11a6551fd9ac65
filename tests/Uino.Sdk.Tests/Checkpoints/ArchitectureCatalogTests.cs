using NUnit.Framework;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

[TestFixture]
public class ArchitectureCatalogTests
{
    /// <summary>A name no other test or wiring step uses, so the process-wide catalog stays predictable.</summary>
    internal static string RegisterTiny()
    {
        var name = $"test_tiny_{Guid.NewGuid():N}";
        ArchitectureCatalog.Register(name, () => new Dictionary<string, long[]> { ["a.weight"] = [2, 3], ["a.bias"] = [2] });
        return name;
    }

    [Test]
    public void RegisteredArchitectureIsFoundAndListed()
    {
        var name = RegisterTiny();
        Assert.That(ArchitectureCatalog.TryGet(name, out var shapes), Is.True);
        Assert.That(shapes()["a.weight"], Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(ArchitectureCatalog.Names, Does.Contain(name));
        Assert.That(ArchitectureCatalog.TryGet(name + "_other", out _), Is.False);
    }

    [Test]
    public void MatchingTensorsPass()
    {
        var name = RegisterTiny();
        using var w = zeros(2, 3);
        using var b = zeros(2);
        Assert.That(() => ArchitectureCatalog.Validate(name, new Dictionary<string, Tensor> { ["a.weight"] = w, ["a.bias"] = b }, "x"), Throws.Nothing);
    }

    [Test]
    public void EveryDifferenceIsListed()
    {
        var name = RegisterTiny();
        using var w = zeros(3, 2);
        using var extra = zeros(1);
        var e = Assert.Throws<CheckpointException>(() =>
            ArchitectureCatalog.Validate(name, new Dictionary<string, Tensor> { ["a.weight"] = w, ["b.extra"] = extra }, "in.pth"))!;
        Assert.That(e.Message, Does.Contain("in.pth").And.Contain(name)
                                   .And.Contain("missing key(s): a.bias")
                                   .And.Contain("unexpected key(s): b.extra")
                                   .And.Contain("a.weight: checkpoint [3, 2], expected [2, 3]"));
    }

    [Test]
    public void UnknownNameListsTheKnownOnes()
    {
        var name = RegisterTiny();
        var e = Assert.Throws<CheckpointException>(() => ArchitectureCatalog.Validate("no_such_model", new Dictionary<string, Tensor>(), "x"))!;
        Assert.That(e.Message, Does.Contain("no_such_model").And.Contain(name));
    }
}
