using NUnit.Framework;
using Uino.Hardening.Child;
using Uino.Hardening.Support;

namespace Uino.Hardening;

/// <summary>
/// (In the root namespace so that its set-up runs before every fixture.) Tiny random-weight Uino model files (UinoFssPresets.TestTiny, written once per run with a fixed seed) and sessions
/// on them: the same code paths as a real model at a fraction of the cost.
/// </summary>
[SetUpFixture]
public class TinyModels
{
    private static TempFolder? folder;

    /// <summary>Full variant, encoder included.</summary>
    public static string Full => Path.Combine(Folder, "tiny-full.safetensors");

    private static string Folder => folder?.Path ?? throw new InvalidOperationException("TinyModels set-up has not run.");

    [OneTimeSetUp]
    public void Write()
    {
        folder = new TempFolder();
        TinyModelFile.Save(Full, seed: 11);
    }

    [OneTimeTearDown]
    public void Delete() => folder?.Dispose();

    /// <summary>A session on <paramref name="path"/> (default: the tiny Full model), with the sample reference added.</summary>
    public static UinoSession Open(string? path = null, bool withReference = true)
    {
        var session = new UinoSession(new UinoSessionOptions { ModelPath = path ?? Full });
        if (withReference) session.AddReference(HardeningPaths.Sample("reference.png"), HardeningPaths.Sample("reference.mask.png"));
        return session;
    }
}
