using System.Text.Json;
using NUnit.Framework;

namespace Uino.Tests.Cli;

/// <summary><c>uino inspect --json</c>: the embedded default model's or a paper preset's parameter counts as one JSON object.</summary>
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

    /// <summary>No options: the embedded default model (what segment, bench and eval run), not a paper preset.</summary>
    [Test]
    public void WithoutOptionsItDescribesTheEmbeddedDefaultModel()
    {
        using var session = new UinoSession();
        var (code, stdout, err) = Run("inspect", "--json");
        Assert.That(code, Is.Zero, err);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("backbone").GetString(), Is.Not.EqualTo("vitb14"));
        Assert.That(root.GetProperty("input_size").GetInt32(), Is.EqualTo(session.InputSize));
        Assert.That(root.GetProperty("variant").GetString(), Is.EqualTo(session.Variant.ToString().ToLowerInvariant()));
        long parameters = 0;
        foreach (var p in session.Model.parameters()) parameters += p.numel();
        var counts = root.GetProperty("parameters");
        Assert.That(counts.GetProperty("encoder").GetInt64() + counts.GetProperty("segmenter_total").GetInt64(), Is.EqualTo(parameters),
                    "the counts are the loaded default model's");

        (code, _, err) = Run("inspect");                       // the table (Spectre writes to the real console)
        Assert.That(code, Is.Zero, err);

        (code, _, err) = Run("inspect", "--model", "x.safetensors", "--backbone", "vitb14");
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("one or the other"));
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
