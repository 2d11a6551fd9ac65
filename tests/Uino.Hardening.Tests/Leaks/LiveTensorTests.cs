using System.Text.Json;
using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Hardening.Support;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Hardening.Leaks;

/// <summary>
/// Building, loading and disposing networks leaves TorchSharp's live-tensor count where it was, whether the build
/// succeeds or fails: the figure the soak and the fuzz campaigns read to find leaks.
/// </summary>
[NonParallelizable]
public class LiveTensorTests
{
    /// <summary>TorchSharp creates some process-wide tensors on first use; they are not a leak of the code under test.</summary>
    [OneTimeSetUp]
    public void WarmUp() => TinyModels.Open().Dispose();

    [Test]
    public void SessionsCreatedAndDisposedLeaveNoTensorAlive()
    {
        long before = LiveTensors.Count();
        for (int i = 0; i < 5; i++) TinyModels.Open().Dispose();
        Assert.That(LiveTensors.Count() - before, Is.Zero, "tensors left alive by 5 sessions created and disposed");
    }

    [Test]
    public void NetworkBuiltAndDisposedLeavesNoTensorAlive()
    {
        var config = UinoFssPresets.TestTiny(UinoVariant.Full, 56);
        long before = LiveTensors.Count();
        new UinoFss(config).Dispose();
        new UinoFss(config, META).Dispose();
        Assert.That(LiveTensors.Count() - before, Is.Zero, "tensors left alive by a network built and disposed (CPU, then meta)");
    }

    /// <summary>
    /// The dense prompt head is built last but one: everything before it (encoder, adapter, SVP, MHCM) exists when
    /// its negative width makes libtorch throw.
    /// </summary>
    [Test]
    public void NetworkThatFailsToBuildLeavesNoTensorAlive()
    {
        var config = UinoFssPresets.TestTiny(UinoVariant.Full, 56) with { HeadWidth = -2 };
        long before = LiveTensors.Count();
        Assert.That(() => new UinoFss(config), Throws.InstanceOf<System.Runtime.InteropServices.ExternalException>());
        Assert.That(LiveTensors.Count() - before, Is.Zero, "tensors left alive by a build that threw half-way");
    }

    [Test]
    public void ModelFileWhoseNetworkFailsToBuildLeavesNoTensorAlive()
    {
        using var folder = new TempFolder();
        using var stream = File.OpenRead(TinyModels.Full);
        var (tensors, metadata) = SafeTensors.Load(stream, TinyModels.Full);
        var path = folder.File("unbuildable.safetensors");
        try
        {
            var meta = new Dictionary<string, string>(metadata);
            var config = JsonSerializer.Deserialize<UinoFssConfig>(meta[UinoModelFile.ConfigKey], UinoModelFile.Json)!;
            meta[UinoModelFile.ConfigKey] = JsonSerializer.Serialize(config with { HeadWidth = -2 }, UinoModelFile.Json);
            SafeTensors.Save(path, tensors, meta);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }

        long before = LiveTensors.Count();
        var e = Assert.Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = path }).Dispose());
        Assert.That(e!.Message, Does.Contain("unbuildable.safetensors"));
        Assert.That(LiveTensors.Count() - before, Is.Zero, "tensors left alive by a refused model file");
    }
}
