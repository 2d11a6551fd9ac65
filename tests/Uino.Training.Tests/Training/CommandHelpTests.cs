using NUnit.Framework;

namespace Uino.Training.Tests.Training;

[TestFixture, NonParallelizable]
public class CommandHelpTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Uino.Tests.Shared.CliRun.Invoke(args);

    /// <summary><c>uino eval --dataset synthetic --split novel --seed 0 --json</c> plus <paramref name="args"/>, which must succeed: its JSON.</summary>
    private static System.Text.Json.JsonElement EvalJson(params string[] args)
    {
        var (code, output, err) = Run(["eval", "--dataset", "synthetic", "--split", "novel", "--seed", "0", "--json", .. args]);
        Assert.That(code, Is.Zero, err);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    [TestCase(new[] { "train", "fss" }, new[] { "--dataset", "--root", "--fold", "--shots", "--variant", "--backbone", "--input-size", "--dinov2", "--sam", "--adapter",
        "--steps", "--epochs", "--batch", "--lr", "--seed", "--out", "--resume", "--device", "--threads", "--from-scratch", "--checkpoint-every", "--log-every", "--init", "--extra-classes", "--hard-distractors" })]
    [TestCase(new[] { "train", "distill" }, new[] { "--images", "--dinov2", "--backbone", "--sam", "--sam-model", "--cache", "--stages", "--epochs", "--batch", "--lr", "--seed",
        "--out", "--resume", "--device", "--threads", "--checkpoint-every" })]
    [TestCase(new[] { "eval" }, new[] { "--model", "--dataset", "--root", "--fold", "--split", "--shots", "--episodes", "--seed", "--dense-prompt", "--json",
        "--device", "--threads", "--batch", "--dinov2", "--save-overlays" })]
    public void Help_NamesEveryOption(string[] command, string[] options)
    {
        var (code, output, err) = Run([.. command, "--help"]);
        Assert.That(code, Is.Zero, err);
        foreach (var o in options) Assert.That(output, Does.Contain(o), $"{string.Join(' ', command)} --help lacks {o}");
    }

    [Test]
    public void Eval_BadDataset_OneLineOnStderr()
    {
        var (code, _, err) = Run("eval", "--model", "/nonexistent/model.safetensors", "--dataset", "synthetic");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.StartWith("uino eval:"));
    }

    /// <summary>Without --model, eval runs the model embedded in Uino.Sdk (no file on disk needed) and prints the documented JSON.</summary>
    [Test]
    public void Eval_WithoutModel_UsesTheEmbeddedDefault()
    {
        var root = EvalJson("--shots", "1", "--episodes", "4");
        Assert.That(root.EnumerateObject().Select(p => p.Name).Take(5), Is.EqualTo(new[] { "dataset", "shots", "episodes", "miou", "fbiou" }));
        Assert.That(root.GetProperty("episodes").GetInt32(), Is.EqualTo(4));
        Assert.That(root.GetProperty("dense_prompt").GetString(), Is.EqualTo("mamba"), "the embedded model is the full variant");
        Assert.That(root.GetProperty("miou").GetDouble(), Is.InRange(1.0, 100.0), "a trained model segments something");
    }

    /// <summary>--dense-prompt both: the model's row first as always, then the PCS row of the same episodes and the lead.</summary>
    [Test]
    public void Eval_DensePromptBoth_PrintsBothPriorsAndThePairedLead()
    {
        var root = EvalJson("--episodes", "8", "--dense-prompt", "both");
        Assert.That(root.GetProperty("dense_prompt").GetString(), Is.EqualTo("mamba"));
        double mamba = root.GetProperty("miou").GetDouble(), pcs = root.GetProperty("pcs").GetProperty("miou").GetDouble();
        var lead = root.GetProperty("miou_minus_pcs");
        Assert.That(lead.GetProperty("difference").GetDouble(), Is.EqualTo(mamba - pcs).Within(0.011));
        var ci = lead.GetProperty("ci95").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.That(ci, Has.Length.EqualTo(2));
        Assert.That(ci[0], Is.LessThanOrEqualTo(ci[1]));
        Assert.That(lead.GetProperty("resamples").GetInt32(), Is.EqualTo(2000));
    }

    [Test]
    public void Eval_DensePromptBoth_OnAModelWithoutTheMambaPrompt_FailsClearly()
    {
        using var dir = new TempDir();
        string path = System.IO.Path.Combine(dir.Path, "comp.safetensors");
        using (var model = new Uino.Modeling.Fss.UinoFss(Uino.Modeling.Fss.UinoFssPresets.Tiny(UinoVariant.Comp)))
            Uino.Modeling.Fss.UinoModelFile.Save(path, model, includeEncoder: true);
        var (code, _, err) = Run("eval", "--model", path, "--dataset", "synthetic", "--episodes", "2", "--dense-prompt", "both");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.StartWith("uino eval:").And.Contain("no Mamba dense prompt"));
        (code, _, err) = Run("eval", "--dataset", "synthetic", "--episodes", "2", "--dense-prompt", "mambaa");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("mambaa").And.Contain("model, pcs or both"));
    }

    [Test]
    public void TrainFss_WithoutStepsOrEpochs_Fails()
    {
        var (code, _, err) = Run("train", "fss", "--dataset", "synthetic", "--backbone", "tiny", "--from-scratch", "--out", Path.GetTempPath());
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("--steps"));
    }
}
