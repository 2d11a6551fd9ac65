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
    // ------------------------------------------------------------ 2. a file that is not a model as --model

    [Test]
    public void ANonModelFileAsModelSaysWhatItIsAndWhatToPass()
    {
        using var tmp = new TempFolder();
        var text = tmp.File("renamed.safetensors");
        File.WriteAllText(text, "this is a text file, not a model\n");
        var truncated = tmp.File("half.safetensors");
        var bytes = File.ReadAllBytes(ApiModels.Full);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var cases = new (string Model, string[] Fragments)[]
        {
            (ApiModels.ReferenceImage, ["reference.png", "is not a Uino model file", "not a safetensors file", "PNG image", "uino train", "--model"]),
            (text, ["renamed.safetensors", "is not a Uino model file", "not a safetensors file", "text file"]),
            (truncated, ["half.safetensors", "is truncated"]),
        };
        foreach (var (model, fragments) in cases)
        {
            var (code, _, err) = Cli("segment", "-r", ApiModels.ReferenceImage, "--mask", ApiModels.ReferenceMask, "-q", ApiModels.QueryImage,
                                     "-o", tmp.File("out"), "--model", model);
            Assert.That(code, Is.EqualTo(1), model);
            AssertOneLine(err, "uino segment: ", fragments);
            Assert.That(err, Does.Not.Contain("header claims 7"), "not the raw header length");
        }
        // The same through the API: an InvalidModel error whose message says so.
        var e = Assert.Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = text }))!;
        Assert.That(e.Message, Does.Contain("is not a Uino model file"));
        Assert.That(e.InnerException, Is.InstanceOf<CheckpointException>());
    }
}
