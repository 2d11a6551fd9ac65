using System.Diagnostics;
using NUnit.Framework;
using Uino.Viewer.Rendering;
using Uino.Viewer.Tests.Support;

namespace Uino.Viewer.Tests;

/// <summary>The committed SPIR-V is what the committed GLSL compiles to (Shaders/build-shaders.sh rebuilds it).</summary>
[TestFixture]
public sealed class ShaderTests
{
    [TestCase("overlay.vert")]
    [TestCase("overlay.frag")]
    public void EmbeddedSpirvMatchesItsGlslSource(string shader)
    {
        var source = Path.Combine(TestPaths.RepoRoot, "viewer", "Uino.Viewer", "Shaders", shader);
        var output = Path.Combine(TestPaths.NewFolder("spirv"), shader + ".spv");
        var info = new ProcessStartInfo("glslangValidator") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-V", "--quiet", "-o", output, source }) info.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"glslangValidator could not be started ({e.Message}): apt-get install glslang-tools (scripts/apt-packages.txt lists it).");
            return;
        }
        using (p)
        {
            string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.EqualTo(0), $"{shader} does not compile: {err}");
        }
        Assert.That(ShaderCode.Read(shader + ".spv"), Is.EqualTo(File.ReadAllBytes(output)),
                    $"the embedded {shader}.spv is stale: run viewer/Uino.Viewer/Shaders/build-shaders.sh");
    }
}
