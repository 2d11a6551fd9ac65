using NUnit.Framework;
using Uino.Modeling.Fss;
using Uino.Tests.Modeling.Fss;
using Uino.Tests.Support;
using static TorchSharp.torch;

namespace Uino.Tests.Api;

/// <summary>
/// Tiny random-weight Uino model files for the API tests (written once per test run to a temporary folder), and
/// the committed sample pictures. Nothing here depends on the embedded default model.
/// </summary>
[SetUpFixture]
public class ApiModels
{
    /// <summary>Input size of the tiny models: 8×8 tokens, fast on a shared CPU.</summary>
    public const int InputSize = 112;

    private static string? folder;

    public static string Folder => folder ?? throw new InvalidOperationException("ApiModels set-up has not run.");
    /// <summary>Full variant (Mamba dense prompt), encoder included.</summary>
    public static string Full => Path.Combine(Folder, "tiny-full.safetensors");
    /// <summary>Comp variant (prototype-cosine prior), encoder included.</summary>
    public static string Comp => Path.Combine(Folder, "tiny-comp.safetensors");
    /// <summary>Full variant without the encoder, and the encoder's weights as a DINOv2 checkpoint.</summary>
    public static string SegmenterOnly => Path.Combine(Folder, "tiny-segmenter.safetensors");
    public static string Encoder => Path.Combine(Folder, "tiny-dinov2.safetensors");

    public static string Sample(string name) => Path.Combine(TestPaths.RepoRoot, "samples", name);
    public static string ReferenceImage => Sample("reference.png");
    public static string ReferenceMask => Sample("reference.mask.png");
    public static string QueryImage => Sample("query.png");
    public static string QueryMask => Sample("query.mask.png");

    [OneTimeSetUp]
    public void Write()
    {
        folder = Path.Combine(Path.GetTempPath(), "uino-api-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var full = new UinoFss(TinyUino.Config(UinoVariant.Full, InputSize));
        UinoModelFile.Save(Full, full, includeEncoder: true);
        UinoModelFile.Save(SegmenterOnly, full, includeEncoder: false);
        Uino.Checkpoints.SafeTensors.Save(Encoder, full.Encoder.state_dict());
        using var comp = new UinoFss(TinyUino.Config(UinoVariant.Comp, InputSize));
        UinoModelFile.Save(Comp, comp, includeEncoder: true);
    }

    [OneTimeTearDown]
    public void Delete()
    {
        if (folder != null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A session on the tiny Full model (or <paramref name="path"/>), optionally with a reference added.</summary>
    public static UinoSession Open(string? path = null, bool withReference = true, int? inputSize = null)
    {
        var session = new UinoSession(new UinoSessionOptions { ModelPath = path ?? Full, InputSize = inputSize });
        if (withReference) session.AddReference(ReferenceImage, ReferenceMask);
        return session;
    }
}
