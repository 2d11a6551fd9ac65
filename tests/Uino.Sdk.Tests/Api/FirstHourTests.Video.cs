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
    // ------------------------------------------------------------ 1. video without OpenCvSharp's native runtime

    /// <summary>What .NET throws on Linux when libOpenCvSharpExtern.so is found but libgtk-3.so.0 is not.</summary>
    private static Exception MissingGtk() => new TypeInitializationException("OpenCvSharp.Internal.NativeMethods", new DllNotFoundException(
        "Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies. In order to help diagnose loading problems, consider " +
        "using a tool like strace.\n/app/runtimes/linux-x64/native/OpenCvSharpExtern.so: cannot open shared object file: No such file or directory\n" +
        "libgtk-3.so.0: cannot open shared object file: No such file or directory\n" +
        "/app/OpenCvSharpExtern.so: cannot open shared object file: No such file or directory"));

    [Test]
    public void TheVideoRuntimesLoadFailuresMapToWhatToInstall()
    {
        foreach (var failure in new[] { MissingGtk(), new DllNotFoundException("Unable to load shared library 'OpenCvSharpExtern'"),
                                        new TypeInitializationException("OpenCvSharp.Internal.NativeMethods", new BadImageFormatException("wrong architecture")),
                                        new OpenCvSharp.OpenCvSharpException("Unable to load DLL 'OpenCvSharpExtern'") })
        {
            var e = VideoRuntime.Explain(failure, "clip.mp4");
            Assert.That(e, Is.Not.Null, failure.ToString());
            Assert.That(e!.Message, Does.Contain("apt-get install libgtk-3-0").And.Contain("OpenCvSharp's native runtime").And.Contain("'clip.mp4' is a video"));
            Assert.That(e.Message, Does.Not.Contain("\n"));
        }
        Assert.That(VideoRuntime.Explain(MissingGtk(), "clip.mp4")!.Message, Does.Contain("libgtk-3.so.0 is missing"));
        Assert.That(VideoRuntime.Explain(new InvalidOperationException("something else"), "clip.mp4"), Is.Null, "other failures are not the runtime's");
        Assert.That(VideoRuntime.Explain(new TypeInitializationException("X", new InvalidOperationException("boom")), "clip.mp4"), Is.Null);
    }

    [Test]
    public void AVideoQueryWithoutTheNativeRuntimeFailsWithOneLineAndWritesNothing()
    {
        using var tmp = new TempFolder();
        var video = tmp.File("clip.mp4");
        File.WriteAllBytes(video, new byte[4096]);
        var outDir = tmp.File("out");
        var saved = VideoRuntime.Load;
        VideoRuntime.Load = () => throw MissingGtk();
        try
        {
            var (code, stdout, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", video, "-o", outDir,
                                          "--model", ApiModels.Full);
            Assert.That(code, Is.EqualTo(1));
            AssertOneLine(err, "uino segment: ", "apt-get install libgtk-3-0", "OpenCvSharp", "libgtk-3.so.0");
            Assert.That(err, Does.Not.Contain("TypeInitializationException").And.Not.Contain("unexpected"));
            Assert.That(stdout, Is.Empty);
            Assert.That(Directory.Exists(outDir), Is.False, "no output");
        }
        finally { VideoRuntime.Load = saved; }
    }
}
