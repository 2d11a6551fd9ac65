using System.Runtime.InteropServices;

namespace Uino.Native;

/// <summary>Mirrors UinoImage of uino.h (24 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CImage
{
    public byte* Data;
    public int Width;
    public int Height;
    public int StrideBytes;
    public int Format;
}

/// <summary>Mirrors UinoSessionOptions of uino.h, version 1 (32 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CSessionOptions
{
    public uint StructSize;
    public byte* ModelPath;
    public byte* Device;
    public int NumThreads;
}

/// <summary>
/// The exported C functions. Each one catches everything: no managed exception crosses into C. Arguments are
/// checked here before any span is made over caller memory, so the SDK never reads past what the caller described.
/// </summary>
internal static unsafe class Exports
{
    public const uint ApiVersion = 1;
    private static readonly byte* VersionString = Status.AllocString(
        $"uino {typeof(Exports).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"} (C API {ApiVersion}, NativeAOT, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3)})");

    [UnmanagedCallersOnly(EntryPoint = "uino_api_version")]
    public static uint ApiVersionExport() => ApiVersion;

    [UnmanagedCallersOnly(EntryPoint = "uino_version_string")]
    public static byte* VersionStringExport() => VersionString;

    [UnmanagedCallersOnly(EntryPoint = "uino_status_code")]
    public static int StatusCode(byte* status) => Status.Code(status);

    [UnmanagedCallersOnly(EntryPoint = "uino_status_message")]
    public static byte* StatusMessage(byte* status) => Status.Message(status);

    [UnmanagedCallersOnly(EntryPoint = "uino_status_release")]
    public static void StatusRelease(byte* status) => Status.Release(status);

    [UnmanagedCallersOnly(EntryPoint = "uino_session_create")]
    public static nint SessionCreate(CSessionOptions* options, nint* outSession)
    {
        const string f = "uino_session_create";
        try
        {
            if (outSession == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: out_session is NULL.");
            *outSession = 0;
            if (options == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: options is NULL (pass a UinoSessionOptions with struct_size = sizeof(UinoSessionOptions)).");
            uint size = options->StructSize;
            if (size != (uint)sizeof(CSessionOptions))
                return Status.Fail(NativeCode.InvalidArgument, $"{f}: options->struct_size is {size}; this library knows UinoSessionOptions of {sizeof(CSessionOptions)} bytes (set it to sizeof(UinoSessionOptions)).");
            // Checked here so the message names the C field (the .NET option is called Threads).
            if (options->NumThreads < 0)
                return Status.Fail(NativeCode.InvalidArgument, $"{f}: options->num_threads is {options->NumThreads}; use 0 for the library's default or a positive count.");
            string? modelPath = options->ModelPath == null ? null : Marshal.PtrToStringUTF8((nint)options->ModelPath);
            if (modelPath is { Length: 0 })
                return Status.Fail(NativeCode.InvalidArgument, $"{f}: options->model_path is an empty string (use NULL for the embedded default model).");
            string? device = options->Device == null ? null : Marshal.PtrToStringUTF8((nint)options->Device);
            // ModelPath null = the default model embedded in Uino.Sdk, compiled into libuino.so with the assembly.
            var session = new UinoSession(new UinoSessionOptions { ModelPath = modelPath, Device = device ?? "cpu", Threads = options->NumThreads });
            try { *outSession = NativeSession.Register(session); }
            catch { session.Dispose(); throw; }
            return 0;
        }
        catch (Exception e) { return ErrorMapping.ToStatus(e, f); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_release")]
    public static void SessionRelease(nint session)
    {
        try { NativeSession.Release(session); }
        catch { /* nothing may unwind into C; a failed dispose only leaks */ }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_add_reference")]
    public static nint SessionAddReference(nint session, CImage* image, byte* mask, int maskStride)
    {
        const string f = "uino_session_add_reference";
        try
        {
            var s = NativeSession.Find(session, f, out var status);
            if (s is null) return status;
            var bad = CheckImage(f, "image", image);
            if (bad != 0) return bad;
            bad = CheckMask(f, "mask", mask, image->Width, image->Height, maskStride);
            if (bad != 0) return bad;
            s.Api.AddReference(View(image), new ReadOnlySpan<byte>(mask, MaskBytes(image->Width, image->Height, maskStride)), maskStride);
            return 0;
        }
        catch (Exception e) { return ErrorMapping.ToStatus(e, f); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_clear_references")]
    public static nint SessionClearReferences(nint session)
    {
        const string f = "uino_session_clear_references";
        try
        {
            var s = NativeSession.Find(session, f, out var status);
            if (s is null) return status;
            s.Api.ClearReferences();
            return 0;
        }
        catch (Exception e) { return ErrorMapping.ToStatus(e, f); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_segment")]
    public static nint SessionSegment(nint session, CImage* frame, byte* maskOut, int maskOutStride, float* scoreOut)
    {
        const string f = "uino_session_segment";
        try
        {
            var s = NativeSession.Find(session, f, out var status);
            if (s is null) return status;
            var bad = CheckImage(f, "frame", frame);
            if (bad != 0) return bad;
            bad = CheckMask(f, "mask_out", maskOut, frame->Width, frame->Height, maskOutStride);
            if (bad != 0) return bad;
            float score = s.Api.SegmentInto(View(frame), new Span<byte>(maskOut, MaskBytes(frame->Width, frame->Height, maskOutStride)), maskOutStride);
            if (scoreOut != null) *scoreOut = score;
            return 0;
        }
        catch (Exception e) { return ErrorMapping.ToStatus(e, f); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_model_info")]
    public static nint SessionModelInfo(nint session, long* outStateTensors, double* outAbsSum)
    {
        const string f = "uino_session_model_info";
        try
        {
            var s = NativeSession.Find(session, f, out var status);
            if (s is null) return status;
            var info = s.Info();
            if (outStateTensors != null) *outStateTensors = info.StateTensors;
            if (outAbsSum != null) *outAbsSum = info.AbsSum;
            return 0;
        }
        catch (Exception e) { return ErrorMapping.ToStatus(e, f); }
    }

    // ---- argument checks (before any span over caller memory) ----

    /// <summary>Bytes per pixel of a C pixel format, 0 for a value that is not a UinoPixelFormat.</summary>
    private static int BytesPerPixel(int format) =>
        format is >= (int)PixelFormat.Rgb8 and <= (int)PixelFormat.Gray8 ? PixelBuffer.BytesPerPixel((PixelFormat)format) : 0;

    private static nint CheckImage(string f, string what, CImage* image)
    {
        if (image == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} is NULL.");
        int bpp = BytesPerPixel(image->Format);
        if (bpp == 0) return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what}->format {image->Format} is not a UinoPixelFormat (0 RGB8, 1 BGR8, 2 RGBA8, 3 BGRA8, 4 GRAY8).");
        if (image->Width <= 0 || image->Height <= 0)
            return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} is {image->Width}x{image->Height}; width and height must be positive.");
        long row = (long)image->Width * bpp;
        if (image->StrideBytes < row)
            return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what}->stride_bytes {image->StrideBytes} is smaller than one row ({image->Width} pixels x {bpp} bytes = {row}).");
        if ((long)(image->Height - 1) * image->StrideBytes + row > int.MaxValue)
            return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} of {image->Width}x{image->Height} with stride {image->StrideBytes} exceeds 2 GiB.");
        if (image->Data == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what}->data is NULL.");
        return 0;
    }

    private static nint CheckMask(string f, string what, byte* mask, int width, int height, int stride)
    {
        if (mask == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} is NULL.");
        if (stride < width)
            return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} stride {stride} is smaller than one row of {width} bytes.");
        if ((long)(height - 1) * stride + width > int.MaxValue)
            return Status.Fail(NativeCode.InvalidArgument, $"{f}: {what} of {width}x{height} with stride {stride} exceeds 2 GiB.");
        return 0;
    }

    private static int MaskBytes(int width, int height, int stride) => (height - 1) * stride + width;

    private static PixelBuffer View(CImage* image)
    {
        int bpp = BytesPerPixel(image->Format);
        int length = (image->Height - 1) * image->StrideBytes + image->Width * bpp;
        return new PixelBuffer(new ReadOnlySpan<byte>(image->Data, length), image->Width, image->Height, image->StrideBytes, (PixelFormat)image->Format);
    }
}
