using NUnit.Framework;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Uino.Api;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Tests.Api;

/// <summary>Every documented failure: its exception type, its code, and a message that names the problem.</summary>
public class ApiErrorTests
{
    private static T Throws<T>(TestDelegate call, UinoErrorCode code, params string[] fragments) where T : UinoException
    {
        var e = Assert.Throws<T>(call)!;
        Assert.That(e.Code, Is.EqualTo(code));
        foreach (var f in fragments) Assert.That(e.Message, Does.Contain(f));
        return e;
    }

    private static UinoSessionOptions Tiny(Func<UinoSessionOptions, UinoSessionOptions>? with = null) =>
        with?.Invoke(new UinoSessionOptions { ModelPath = ApiModels.Full }) ?? new UinoSessionOptions { ModelPath = ApiModels.Full };

    // ------------------------------------------------------------ model and options

    [Test]
    public void MissingModelFileIsNotFound()
    {
        var path = Path.Combine(ApiModels.Folder, "no-such-model.safetensors");
        var e = Throws<UinoNotFoundException>(() => new UinoSession(new UinoSessionOptions { ModelPath = path }), UinoErrorCode.NotFound, path);
        Assert.That(e.Path, Is.EqualTo(path));
    }

    [Test]
    public void ModelPathThatIsAFolderIsInvalidArgument() =>
        Throws<UinoArgumentException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Folder }),
                                      UinoErrorCode.InvalidArgument, "is a directory");

    [Test]
    public void CorruptModelFileIsInvalidModelWrappingTheCheckpointError()
    {
        using var dir = new TempFolder();
        var path = dir.File("corrupt.safetensors");
        var bytes = File.ReadAllBytes(ApiModels.Full);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);                 // truncated download
        var e = Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = path }), UinoErrorCode.InvalidModel, path);
        Assert.That(e.InnerException, Is.InstanceOf<CheckpointException>());
    }

    [Test]
    public void SafetensorsThatIsNotAUinoModelIsInvalidModel()
    {
        using var dir = new TempFolder();
        var path = dir.File("plain.safetensors");
        using var t = ones(3);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = t });
        Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = path }), UinoErrorCode.InvalidModel, "not a Uino model");
    }

    [Test]
    public void SegmenterOnlyFileWithoutEncoderCheckpointSaysWhatIsMissing() =>
        Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.SegmenterOnly }),
                                   UinoErrorCode.InvalidModel, "DINOv2 checkpoint");

    [Test]
    public void MismatchedEncoderCheckpointIsInvalidModel()
    {
        using var dir = new TempFolder();
        var wrong = dir.File("wrong-dinov2.safetensors");
        using var t = ones(5, 5);
        SafeTensors.Save(wrong, new Dictionary<string, Tensor> { ["pos_embed"] = t });
        var e = Throws<UinoModelException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.SegmenterOnly, EncoderCheckpoint = wrong }),
                                           UinoErrorCode.InvalidModel, "pos_embed");
        Assert.That(e.InnerException, Is.InstanceOf<CheckpointException>());
    }

    [Test]
    public void MissingEncoderCheckpointIsNotFound()
    {
        var path = Path.Combine(ApiModels.Folder, "missing-dinov2.pth");
        Throws<UinoNotFoundException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.SegmenterOnly, EncoderCheckpoint = path }),
                                      UinoErrorCode.NotFound, "DINOv2 checkpoint", path);
    }

    [Test]
    public void SegmenterOnlyFilePlusEncoderCheckpointLoads()
    {
        using var session = new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.SegmenterOnly, EncoderCheckpoint = ApiModels.Encoder });
        Assert.That(session.InputSize, Is.EqualTo(ApiModels.InputSize));
        Assert.That(session.Variant, Is.EqualTo(UinoVariant.Full));
    }

    [Test]
    public void AbsentEmbeddedModelIsAClearNotFound()
    {
        var e = Throws<UinoNotFoundException>(() => ModelLoader.Load(new UinoSessionOptions(), CPU, "Uino.Models.NoSuchModel.safetensors"),
                                              UinoErrorCode.NotFound, "no embedded default model", "ModelPath");
        Assert.That(e.Path, Is.Null);
        Assert.That(ModelLoader.HasEmbeddedDefault("Uino.Models.NoSuchModel.safetensors"), Is.False);
    }

    [TestCase("cuda")]
    [TestCase("cuda:1")]
    public void CudaIsRefusedInThisBuild(string device) =>
        Throws<UinoArgumentException>(() => new UinoSession(Tiny(o => new UinoSessionOptions { ModelPath = o.ModelPath, Device = device })),
                                      UinoErrorCode.InvalidArgument, "CUDA is not available", device);

    [TestCase("tpu")]
    [TestCase("cuda:x")]
    public void UnknownDeviceIsInvalidArgument(string device) =>
        Throws<UinoArgumentException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Full, Device = device }),
                                      UinoErrorCode.InvalidArgument, "Unknown device", device);

    [TestCase(100)]
    [TestCase(0)]
    [TestCase(-14)]
    public void InputSizeNotAPositiveMultipleOf14IsInvalidArgument(int size) =>
        Throws<UinoArgumentException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Full, InputSize = size }),
                                      UinoErrorCode.InvalidArgument, $"Input size {size}", "multiple of 14");

    [Test]
    public void NegativeThreadsIsInvalidArgument() =>
        Throws<UinoArgumentException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Full, Threads = -2 }),
                                      UinoErrorCode.InvalidArgument, "Threads");

    [Test]
    public void VariantOverrideNeedingMissingWeightsIsRefused() =>
        Throws<UinoArgumentException>(() => new UinoSession(new UinoSessionOptions { ModelPath = ApiModels.Comp, Variant = UinoVariant.Full }),
                                      UinoErrorCode.InvalidArgument, "Comp network", "cannot run as Full");

    // ------------------------------------------------------------ references

    [Test]
    public void MissingReferenceFileIsNotFound()
    {
        using var session = ApiModels.Open(withReference: false);
        var missing = Path.Combine(ApiModels.Folder, "nope.png");
        Throws<UinoNotFoundException>(() => session.AddReference(missing, ApiModels.ReferenceMask), UinoErrorCode.NotFound, "reference image", missing);
        Throws<UinoNotFoundException>(() => session.AddReference(ApiModels.ReferenceImage, missing), UinoErrorCode.NotFound, "reference mask", missing);
        Assert.That(session.ReferenceCount, Is.EqualTo(0));
    }

    [Test]
    public void UnreadableImageFileIsInvalidArgument()
    {
        using var session = ApiModels.Open(withReference: false);
        using var dir = new TempFolder();
        var fake = dir.File("fake.png");
        File.WriteAllText(fake, "this is not a picture");
        Throws<UinoArgumentException>(() => session.AddReference(fake, ApiModels.ReferenceMask), UinoErrorCode.InvalidArgument, fake, "not a readable image");
        session.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask);
        Throws<UinoArgumentException>(() => session.Segment(fake), UinoErrorCode.InvalidArgument, "frame", fake);
    }

    [Test]
    public void MaskOfAnotherSizeIsRefusedByEveryOverload()
    {
        using var session = ApiModels.Open(withReference: false);
        using var image = Image.Load<Rgb24>(ApiModels.ReferenceImage);
        using var small = new Image<L8>(128, 100, new L8(255));
        Throws<UinoArgumentException>(() => session.AddReference(image, small), UinoErrorCode.InvalidArgument, "128×100", "256×256", "same size");
        Throws<UinoArgumentException>(() => session.AddReference(image, new byte[100]), UinoErrorCode.InvalidArgument, "100 bytes", "256×256");
        using var dir = new TempFolder();
        var maskPath = dir.File("small.mask.png");
        small.SaveAsPng(maskPath);
        Throws<UinoArgumentException>(() => session.AddReference(ApiModels.ReferenceImage, maskPath), UinoErrorCode.InvalidArgument, maskPath, "128×100");
        Assert.That(session.ReferenceCount, Is.EqualTo(0));
    }

    [Test]
    public void EmptyAndFullMasksAreRefused()
    {
        using var session = ApiModels.Open(withReference: false);
        using var image = Image.Load<Rgb24>(ApiModels.ReferenceImage);
        var mask = new byte[256 * 256];
        Throws<UinoArgumentException>(() => session.AddReference(image, mask), UinoErrorCode.InvalidArgument, "empty");
        Array.Fill(mask, (byte)1);
        Throws<UinoArgumentException>(() => session.AddReference(image, mask), UinoErrorCode.InvalidArgument, "whole image", "background");
        mask[12345] = 0;                                                           // one background pixel is enough
        session.AddReference(image, mask);
        Assert.That(session.ReferenceCount, Is.EqualTo(1));
    }

    [Test]
    public void MaskPaddingDoesNotCountForCoverage()
    {
        using var session = ApiModels.Open(withReference: false);
        var rgb = new byte[4 * 4 * 3];
        var mask = new byte[4 * 6];                                               // stride 6: two padding bytes per row
        for (int y = 0; y < 4; y++) { for (int x = 0; x < 4; x++) mask[y * 6 + x] = 255; mask[y * 6 + 4] = 0; }
        Throws<UinoArgumentException>(() => session.AddReference(new PixelBuffer(rgb, 4, 4, 12, PixelFormat.Rgb8), mask, 6),
                                      UinoErrorCode.InvalidArgument, "whole image");
    }

    // ------------------------------------------------------------ frames

    [Test]
    public void SegmentBeforeAnyReferenceIsNoReference()
    {
        using var session = ApiModels.Open(withReference: false);
        Throws<UinoNoReferenceException>(() => session.Segment(ApiModels.QueryImage), UinoErrorCode.NoReference, "AddReference");
        var frame = new byte[8 * 8 * 3];
        Throws<UinoNoReferenceException>(() => session.SegmentInto(new PixelBuffer(frame, 8, 8, 24, PixelFormat.Rgb8), new byte[64]), UinoErrorCode.NoReference);
    }

    [TestCase(0, 10)]
    [TestCase(10, 0)]
    [TestCase(-3, 10)]
    public void ZeroSizedBufferIsInvalidArgument(int w, int h)
    {
        using var session = ApiModels.Open();
        Throws<UinoArgumentException>(() => session.Segment(new PixelBuffer(new byte[300], w, h, 30, PixelFormat.Rgb8)),
                                      UinoErrorCode.InvalidArgument, "must be positive");
    }

    [Test]
    public void StrideSmallerThanARowIsInvalidArgument()
    {
        using var session = ApiModels.Open();
        Throws<UinoArgumentException>(() => session.Segment(new PixelBuffer(new byte[10 * 40], 10, 10, 39, PixelFormat.Bgra8)),
                                      UinoErrorCode.InvalidArgument, "stride 39", "40 bytes");
        Throws<UinoArgumentException>(() => session.SegmentInto(new PixelBuffer(new byte[300], 10, 10, 30, PixelFormat.Rgb8), new byte[100], maskStrideBytes: 9),
                                      UinoErrorCode.InvalidArgument, "output mask", "stride 9");
    }

    [Test]
    public void TooSmallBuffersAreInvalidArgument()
    {
        using var session = ApiModels.Open();
        Throws<UinoArgumentException>(() => session.Segment(new PixelBuffer(new byte[299], 10, 10, 30, PixelFormat.Rgb8)),
                                      UinoErrorCode.InvalidArgument, "299 bytes", "needs 300");
        Throws<UinoArgumentException>(() => session.SegmentInto(new PixelBuffer(new byte[300], 10, 10, 30, PixelFormat.Rgb8), new byte[99]),
                                      UinoErrorCode.InvalidArgument, "output mask", "99 bytes");
        Throws<UinoArgumentException>(() => session.SegmentInto(new PixelBuffer(new byte[300], 10, 10, 30, PixelFormat.Rgb8), new byte[100], 0, new float[50]),
                                      UinoErrorCode.InvalidArgument, "probability buffer", "50 floats");
    }

    [Test]
    public void UnknownPixelFormatIsInvalidArgument()
    {
        using var session = ApiModels.Open();
        Throws<UinoArgumentException>(() => session.Segment(new PixelBuffer(new byte[300], 10, 10, 30, (PixelFormat)9)),
                                      UinoErrorCode.InvalidArgument, "Unknown pixel format 9");
        Throws<UinoArgumentException>(() => session.AddReference(new PixelBuffer(new byte[300], 10, 10, 30, (PixelFormat)(-1)), new byte[100]),
                                      UinoErrorCode.InvalidArgument, "Unknown pixel format -1");
    }

    [Test]
    public void MissingFrameFileIsNotFound()
    {
        using var session = ApiModels.Open();
        var missing = Path.Combine(ApiModels.Folder, "missing-frame.png");
        Throws<UinoNotFoundException>(() => session.Segment(missing), UinoErrorCode.NotFound, "frame", missing);
    }

    // ------------------------------------------------------------ disposal

    [Test]
    public void EveryCallOnADisposedSessionThrowsObjectDisposed()
    {
        var session = ApiModels.Open();
        session.Dispose();
        session.Dispose();                                                          // twice is harmless
        using var image = Image.Load<Rgb24>(ApiModels.QueryImage);
        var pixels = new byte[8 * 8 * 3];
        Assert.Throws<ObjectDisposedException>(() => session.Segment(ApiModels.QueryImage));
        Assert.Throws<ObjectDisposedException>(() => session.Segment(image));
        Assert.Throws<ObjectDisposedException>(() => session.Segment(new PixelBuffer(pixels, 8, 8, 24, PixelFormat.Rgb8)));
        Assert.Throws<ObjectDisposedException>(() => session.SegmentInto(new PixelBuffer(pixels, 8, 8, 24, PixelFormat.Rgb8), new byte[64]));
        Assert.Throws<ObjectDisposedException>(() => session.AddReference(ApiModels.ReferenceImage, ApiModels.ReferenceMask));
        Assert.Throws<ObjectDisposedException>(() => session.ClearReferences());
        Assert.Throws<ObjectDisposedException>(() => _ = session.ReferenceCount);
    }
}
