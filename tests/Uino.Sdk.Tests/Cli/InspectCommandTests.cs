using System.Text.Json;
using NUnit.Framework;

namespace Uino.Tests.Cli;

/// <summary><c>uino inspect --json</c>: the paper's parameter counts as one JSON object.</summary>
[NonParallelizable] // captures the process-wide console and builds on the meta device
public class InspectCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Uino.Tests.Shared.CliRun.Invoke(args);

    [TestCase("full", 4.6e6)]
    [TestCase("comp", 4.1e6)]
    [TestCase("comp-star", 0.07e6)]
    public void JsonReportsTheComponentsAndTrainableCount(string variant, double paperTrainable)
    {
        var (code, stdout, _) = Run("inspect", "--backbone", "vitb14", "--variant", variant, "--json");
        Assert.That(code, Is.Zero);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("backbone").GetString(), Is.EqualTo("vitb14"));
        Assert.That(root.GetProperty("variant").GetString(), Is.EqualTo(variant));
        var p = root.GetProperty("parameters");
        foreach (var key in new[] { "encoder", "bottleneck_adapter", "semantic_visual_prompt", "mamba_dense_prompt",
                                    "mamba_hypercorrelation", "prompt_encoder", "mask_decoder", "segmenter_total", "trainable" })
            Assert.That(p.TryGetProperty(key, out _), Is.True, key);
        Assert.That(p.GetProperty("trainable").GetInt64(), Is.InRange(paperTrainable * 0.95, paperTrainable * 1.05));
    }

    [Test]
    public void UnknownVariantIsOneLineAndNonZeroExit()
    {
        var (code, _, err) = Run("inspect", "--variant", "huge");
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("Unknown variant 'huge'"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }
}
