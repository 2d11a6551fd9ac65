using System.Text.Json;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

/// <summary>
/// The key map: every key and shape of the official full-size checkpoints (official-checkpoint-keys.json) is what
/// the catalog expects for that architecture, and a tampered checkpoint is refused with every problem named.
/// </summary>
[NonParallelizable] // the catalog builds SAM on the meta device (process-wide default device)
public class OfficialArchitecturesTests
{
    private static IEnumerable<string> Models()
    {
        var path = Path.Combine(TestPaths.FixtureRoot, "official-checkpoint-keys.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }

    private static Dictionary<string, Tensor> MetaTensors(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.FixtureRoot, "official-checkpoint-keys.json")));
        return doc.RootElement.GetProperty(model).EnumerateObject()
                  .ToDictionary(p => p.Name, p => empty(p.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray(), device: META));
    }

    [TestCaseSource(nameof(Models))]
    public void OfficialCheckpointKeysValidate(string model)
    {
        var tensors = MetaTensors(model);
        Assert.DoesNotThrow(() => ArchitectureCatalog.Validate(model, tensors, model + ".pth"));
    }

    [Test]
    public void TamperedCheckpointNamesEveryProblem()
    {
        var tensors = MetaTensors("dinov2_vits14");
        tensors.Remove("blocks.3.ls1.gamma");
        tensors["pos_embed"] = empty(new long[] { 1, 257, 384 }, device: META);
        tensors["head.weight"] = empty(new long[] { 10, 384 }, device: META);
        var ex = Assert.Throws<CheckpointException>(() => ArchitectureCatalog.Validate("dinov2_vits14", tensors, "x.pth"));
        Assert.That(ex!.Message, Does.Contain("blocks.3.ls1.gamma").And.Contain("pos_embed").And.Contain("head.weight"));
    }
}
