using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Cli.Commands;

namespace Uino.Tests.Api;

public partial class FirstHourTests
{
    // ------------------------------------------------------------ 3. a missing required option

    [TestCase(new[] { "segment", "--reference", "r.png", "--query", "q.png", "--out", "o" }, "uino segment", "--mask")]
    [TestCase(new[] { "dataset-info", "--root", "." }, "uino dataset-info", "--dataset")]
    [TestCase(new[] { "convert", "--output", "x.safetensors" }, "uino convert", "--input")]
    [TestCase(new[] { "segment", "-r", "r.png", "--mask", "m.png", "-q", "q.png", "-o", "o", "--bogus" }, "uino segment", "--bogus")]
    public void AMissingOrUnknownOptionIsOneLineNamingItAndTheHelp(string[] args, string command, string option)
    {
        var (code, stdout, err) = Cli(args);
        Assert.That(code, Is.EqualTo(1));
        AssertOneLine(err, command + ": ", option, $"See `{command} --help`");
        Assert.That(stdout, Does.Not.Contain("Usage:").And.Not.Contain("Options:"), "not the whole help text");
    }

    [Test]
    public void BareUinoStillShowsTheHelp()
    {
        var (_, stdout, _) = Cli();
        Assert.That(stdout, Does.Contain("segment"));
    }
}
