using NUnit.Framework;
using Uino.Checkpoints;
using Uino.Cli;
using static TorchSharp.torch;

namespace Uino.Tests.Checkpoints;

[TestFixture]
public class ConvertCommandTests
{
    private static (int Code, string StdErr) Run(params string[] args)
    {
        var (code, _, err) = Uino.Tests.Shared.CliRun.Invoke(["convert", .. args]);
        return (code, err);
    }

    private static string Pth(string name) => Path.Combine(CheckpointFixtures.PthFolder, name + ".pth");

    [Test]
    public void PthIsConvertedToIdenticalSafetensors()
    {
        using var dir = new TempDir();
        var output = dir.File("out/dinov2.safetensors");
        var (code, err) = Run("--input", Pth("dinov2-tiny"), "--output", output);
        Assert.That(code, Is.EqualTo(0), err);
        var written = SafeTensors.Load(output);
        var expected = SafeTensors.Load(CheckpointFixtures.WeightsOf("dinov2-tiny"));
        try { CheckpointFixtures.AssertIdentical(written, expected, "converted"); }
        finally { CheckpointFixtures.DisposeAll(written); CheckpointFixtures.DisposeAll(expected); }
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(output)!), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public void SafetensorsInputIsAccepted()
    {
        using var dir = new TempDir();
        var output = dir.File("copy.safetensors");
        var (code, err) = Run("-i", CheckpointFixtures.WeightsOf("sam-encoder-tiny"), "-o", output);
        Assert.That(code, Is.EqualTo(0), err);
        var written = SafeTensors.Load(output);
        var expected = SafeTensors.Load(CheckpointFixtures.WeightsOf("sam-encoder-tiny"));
        try { CheckpointFixtures.AssertIdentical(written, expected, "copied"); }
        finally { CheckpointFixtures.DisposeAll(written); CheckpointFixtures.DisposeAll(expected); }
    }

    [Test]
    public void MaliciousInputFailsWithOneLineAndNoOutput()
    {
        using var dir = new TempDir();
        var output = dir.File("evil.safetensors");
        var (code, err) = Run("--input", Pth("malicious"), "--output", output);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.Contain("posix.system"));
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty);
        Assert.That(File.Exists("/tmp/uino-pickle-was-executed"), Is.False);
    }

    [Test]
    public void FailedConversionLeavesAnExistingOutputUntouched()
    {
        using var dir = new TempDir();
        var output = dir.File("existing.safetensors");
        File.WriteAllText(output, "previous content");
        var (code, _) = Run("--input", dir.File("missing.pth"), "--output", output);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(File.ReadAllText(output), Is.EqualTo("previous content"));
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1));
    }

    [Test]
    public void ModelValidationPassesForAMatchingCheckpoint()
    {
        var name = ArchitectureCatalogTests.RegisterTiny();
        using var dir = new TempDir();
        var input = dir.File("tiny.safetensors");
        using var w = randn(2, 3);
        using var b = randn(2);
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["a.weight"] = w, ["a.bias"] = b });
        var output = dir.File("tiny-out.safetensors");
        var (code, err) = Run("--input", input, "--output", output, "--model", name);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(File.Exists(output), Is.True);
    }

    [Test]
    public void ModelValidationFailureWritesNothing()
    {
        var name = ArchitectureCatalogTests.RegisterTiny();
        using var dir = new TempDir();
        var output = dir.File("out.safetensors");
        var (code, err) = Run("--input", Pth("dinov2-tiny"), "--output", output, "--model", name);
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(err, Does.Contain(name).And.Contain("missing key(s): a.bias"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void UnknownModelListsKnownOnes()
    {
        var name = ArchitectureCatalogTests.RegisterTiny();
        using var dir = new TempDir();
        var output = dir.File("out.safetensors");
        var (code, err) = Run("--input", Pth("dinov2-tiny"), "--output", output, "--model", "dinov2_vitz99");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(err, Does.Contain("dinov2_vitz99").And.Contain(name));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void MissingRequiredOptionIsAUsageError()
    {
        var (code, err) = Run("--output", "x.safetensors");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(err, Does.Contain("--input"));
    }
}
