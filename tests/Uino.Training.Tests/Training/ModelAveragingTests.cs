using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Modeling.Fss;
using Uino.Training.Tests.Datasets;
using Uino.Training.Training;
using static TorchSharp.torch;

namespace Uino.Training.Tests.Training;

public class ModelAveragingTests
{
    private static string Save(UinoFss model, string dir, string name)
    {
        string path = Path.Combine(dir, name);
        UinoModelFile.Save(path, model, includeEncoder: true);
        return path;
    }

    [Test]
    public void Average_IsTheMeanOfTheParameters_KeepsTheBuffers_AndLoadsAsAModel()
    {
        using var dir = new TempDir();
        manual_seed(1);
        using var model = new UinoFss(UinoFssPresets.Tiny());
        string a = Save(model, dir.Path, "a.safetensors");
        using (no_grad()) foreach (var p in model.parameters()) p.add_(3f);
        string b = Save(model, dir.Path, "b.safetensors");
        string output = Path.Combine(dir.Path, "avg.safetensors");
        ModelAveraging.Average(new[] { a, b }, output);

        var first = SafeTensors.Load(a);
        using var averaged = UinoModelFile.Load(output);
        var state = averaged.state_dict();
        var buffers = averaged.named_buffers().Select(x => x.name).ToHashSet();
        Assert.That(buffers, Has.Some.Contains("gaussian_matrix"), "the test must cover a random buffer");
        foreach (var (name, value) in first)
        {
            var expected = buffers.Contains(name) ? value : value + 1.5f;
            Assert.That(state[name].allclose(expected, rtol: 1e-6, atol: 1e-5), Is.True, name);
        }
        Assert.That(SafeTensors.ReadHeader(output).Metadata["uino.training"], Does.Contain("a.safetensors").And.Contain("b.safetensors"));
    }

    [Test]
    public void Average_RefusesFilesThatDoNotShareOneModel_WithoutWritingAnything()
    {
        using var dir = new TempDir();
        manual_seed(1);
        using var one = new UinoFss(UinoFssPresets.Tiny());
        manual_seed(2);
        using var otherDraw = new UinoFss(UinoFssPresets.Tiny());
        using var otherShape = new UinoFss(UinoFssPresets.Tiny() with { SvpHidden = 8 });
        string a = Save(one, dir.Path, "a.safetensors");
        string output = Path.Combine(dir.Path, "avg.safetensors");

        var buffers = Assert.Throws<CheckpointException>(() => ModelAveraging.Average(new[] { a, Save(otherDraw, dir.Path, "b.safetensors") }, output));
        Assert.That(buffers!.Message, Does.Contain("not fine-tuned from one model"));
        var config = Assert.Throws<CheckpointException>(() => ModelAveraging.Average(new[] { a, Save(otherShape, dir.Path, "c.safetensors") }, output));
        Assert.That(config!.Message, Does.Contain("another model configuration"));
        Assert.That(() => ModelAveraging.Average(new[] { a }, output), Throws.ArgumentException.With.Message.Contains("at least two"));
        Assert.That(File.Exists(output), Is.False);
    }
}
