using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Hardening.Support;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Hardening.Limits;

/// <summary>
/// What a session refuses to load, through the public API: non-finite weights, tensors that disagree with the
/// architecture the file declares, missing tensors. Each is a <see cref="UinoModelException"/> naming the tensor.
/// Frames and masks are 8-bit integers in every entry point (PixelBuffer, image files, the C ABI's UinoImage), so
/// they cannot carry NaN or Inf: the non-finite check that matters for inputs is the weights'.
/// </summary>
public class ModelValidationTests
{
    /// <summary>Rewrites the tiny model with <paramref name="edit"/> applied to its tensors and metadata.</summary>
    private static string Rewrite(TempFolder folder, string name, Action<Dictionary<string, Tensor>, Dictionary<string, string>> edit)
    {
        using var stream = File.OpenRead(TinyModels.Full);
        var (tensors, metadata) = SafeTensors.Load(stream, TinyModels.Full);
        var meta = new Dictionary<string, string>(metadata);
        try
        {
            edit(tensors, meta);
            var path = folder.File(name);
            SafeTensors.Save(path, tensors, meta);
            return path;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static UinoModelException Refused(string path) =>
        Assert.Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = path }))!;

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    public void NonFiniteWeightIsRefusedNamingTheTensor(float value)
    {
        using var folder = new TempFolder();
        string victim = "";
        var path = Rewrite(folder, "non-finite.safetensors", (tensors, _) =>
        {
            victim = tensors.Keys.Where(k => k.StartsWith("mask_decoder.", StringComparison.Ordinal) && tensors[k].is_floating_point()).Order().First();
            tensors[victim].view(-1)[3] = value;
        });
        var e = Refused(path);
        Assert.That(e.Message, Does.Contain("NaN or Inf").And.Contain(victim).And.Contain("non-finite.safetensors"));
    }

    [Test]
    public void TensorsOfAnotherArchitectureAreRefused()
    {
        using var folder = new TempFolder();
        var path = Rewrite(folder, "other-architecture.safetensors", (_, metadata) =>
        {
            // The tensors are those of SvpHidden 8; the declared configuration says 12.
            var config = JsonSerializer.Deserialize<UinoFssConfig>(metadata[UinoModelFile.ConfigKey], UinoModelFile.Json)!;
            metadata[UinoModelFile.ConfigKey] = JsonSerializer.Serialize(config with { SvpHidden = config.SvpHidden + 4 }, UinoModelFile.Json);
        });
        var e = Refused(path);
        Assert.That(e.Message, Does.Contain("does not fit").And.Contain("svp."));
    }

    /// <summary>
    /// Found by the model-file campaign: a configuration declaring huge widths made the loader allocate and
    /// initialise the whole declared network before comparing it with the tensors (22 s for one fuzzed file).
    /// Here the dense prompt head's width is 4096 instead of 16: 600 MB of weights, none of them in the file.
    /// </summary>
    [Test]
    public void ConfigurationDeclaringHugeWidthsIsRefusedWithoutBuildingIt()
    {
        using var folder = new TempFolder();
        var path = Rewrite(folder, "width-bomb.safetensors", (_, metadata) =>
        {
            var config = JsonSerializer.Deserialize<UinoFssConfig>(metadata[UinoModelFile.ConfigKey], UinoModelFile.Json)!;
            metadata[UinoModelFile.ConfigKey] = JsonSerializer.Serialize(config with { HeadWidth = 4096 }, UinoModelFile.Json);
        });
        Refused(path);                                                  // warm-up: JIT and TorchSharp start-up are not the loader's time
        var clock = Stopwatch.StartNew();
        var e = Refused(path);
        clock.Stop();
        TestContext.Out.WriteLine($"refused in {clock.Elapsed.TotalMilliseconds:F0} ms: {e.Message}");
        Assert.That(e.Message, Does.Contain("width-bomb.safetensors").And.Contain("does not fit")
                                   .And.Contain("dense_head.conv2.weight: checkpoint [16, 16, 3, 3], expected [4096, 4096, 3, 3]"));
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(1), "time to refuse the file");
    }

    [Test]
    public void MissingTensorIsRefused()
    {
        using var folder = new TempFolder();
        string dropped = "";
        var path = Rewrite(folder, "missing.safetensors", (tensors, _) =>
        {
            dropped = tensors.Keys.First(k => k.StartsWith("adapter.", StringComparison.Ordinal));
            tensors.Remove(dropped, out var t);
            t!.Dispose();
        });
        Assert.That(Refused(path).Message, Does.Contain(dropped).And.Contain("missing"));
    }
}
