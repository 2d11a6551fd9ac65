using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;
using Uino.Checkpoints;
using Uino.Cli.Commands;

namespace Uino.Tests.Api;

/// <summary>
/// A new user's first hour: what `uino` says when the machine lacks the video runtime, when --model is not a model,
/// when an option is missing, when a mask is a JPEG, and when images are grayscale, palette or 16-bit.
/// </summary>
[NonParallelizable]                                        // Console and VideoRuntime.Load are process-wide
public partial class FirstHourTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args) => Uino.Tests.Shared.CliRun.Invoke(args);

    private static void AssertOneLine(string err, string prefix, params string[] fragments)
    {
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith(prefix));
        foreach (var f in fragments) Assert.That(err, Does.Contain(f));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }
}
