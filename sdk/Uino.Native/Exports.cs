using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Uino.Native.Adapter;

namespace Uino.Native;

/// <summary>Mirrors UinoImage of uino.h (24 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct UinoImage
{
    public byte* Data;
    public int Width;
    public int Height;
    public int StrideBytes;
    public int Format;
}

/// <summary>Mirrors UinoSessionOptions of uino.h, version 1 (32 bytes on LP64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct UinoSessionOptions
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
    public static nint SessionCreate(UinoSessionOptions* options, nint* outSession)
    {
        try
        {
            const string f = "uino_session_create";
            if (outSession == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: out_session is NULL.");
            *outSession = 0;
            if (options == null) return Status.Fail(NativeCode.InvalidArgument, $"{f}: options is NULL (pass a UinoSessionOptions with struct_size = sizeof(UinoSessionOptions)).");
            uint size = options->StructSize;
            if (size != (uint)sizeof(UinoSessionOptions))
                return Status.Fail(NativeCode.InvalidArgument, $"{f}: options->struct_size is {size}; this library knows UinoSessionOptions of {sizeof(UinoSessionOptions)} bytes (set it to sizeof(UinoSessionOptions)).");
            string? modelPath = options->ModelPath == null ? null : Marshal.PtrToStringUTF8((nint)options->ModelPath);
            string? device = options->Device == null ? null : Marshal.PtrToStringUTF8((nint)options->Device);
            JsonAot.Configure();
            var api = new AdapterSession(modelPath, device, options->NumThreads);
            *outSession = NativeSession.Register(api);
            return 0;
        }
        catch (Exception e) { return Status.FromException(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_release")]
    public static void SessionRelease(nint session)
    {
        try { NativeSession.Release(session); }
        catch { /* nothing may unwind into C; a failed dispose only leaks */ }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_add_reference")]
    public static nint SessionAddReference(nint session, UinoImage* image, byte* mask, int maskStride)
    {
        const string f = "uino_session_add_reference";
        try
        {
            var s = NativeSession.Enter(session, f, out var status);
            if (s is null) return status;
            try
            {
                var bad = CheckImage(f, "image", image);
                if (bad != 0) return bad;
                bad = CheckMask(f, "mask", mask, image->Width, image->Height, maskStride);
                if (bad != 0) return bad;
                s.Api.AddReference(View(image), new ReadOnlySpan<byte>(mask, MaskBytes(image->Width, image->Height, maskStride)), maskStride);
                return 0;
            }
            finally { s.Exit(); }
        }
        catch (Exception e) { return Status.FromException(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_clear_references")]
    public static nint SessionClearReferences(nint session)
    {
        try
        {
            var s = NativeSession.Enter(session, "uino_session_clear_references", out var status);
            if (s is null) return status;
            try { s.Api.ClearReferences(); return 0; }
            finally { s.Exit(); }
        }
        catch (Exception e) { return Status.FromException(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_segment")]
    public static nint SessionSegment(nint session, UinoImage* frame, byte* maskOut, int maskOutStride, float* scoreOut)
    {
        const string f = "uino_session_segment";
        try
        {
            var s = NativeSession.Enter(session, f, out var status);
            if (s is null) return status;
            try
            {
                var bad = CheckImage(f, "frame", frame);
                if (bad != 0) return bad;
                bad = CheckMask(f, "mask_out", maskOut, frame->Width, frame->Height, maskOutStride);
                if (bad != 0) return bad;
                float score = s.Api.Segment(View(frame), new Span<byte>(maskOut, MaskBytes(frame->Width, frame->Height, maskOutStride)), maskOutStride);
                if (scoreOut != null) *scoreOut = score;
                return 0;
            }
            finally { s.Exit(); }
        }
        catch (Exception e) { return Status.FromException(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "uino_session_model_info")]
    public static nint SessionModelInfo(nint session, long* outStateTensors, double* outAbsSum)
    {
        try
        {
            var s = NativeSession.Enter(session, "uino_session_model_info", out var status);
            if (s is null) return status;
            try
            {
                if (outStateTensors != null) *outStateTensors = s.Api.StateTensorCount;
                if (outAbsSum != null) *outAbsSum = s.Api.StateChecksum;
                return 0;
            }
            finally { s.Exit(); }
        }
        catch (Exception e) { return Status.FromException(e); }
    }

    // ---- argument checks (before any span over caller memory) ----

    private static int BytesPerPixel(int format) => format switch { 0 or 1 => 3, 2 or 3 => 4, 4 => 1, _ => 0 };

    private static nint CheckImage(string f, string what, UinoImage* image)
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

    private static PixelBuffer View(UinoImage* image)
    {
        int bpp = BytesPerPixel(image->Format);
        int length = (image->Height - 1) * image->StrideBytes + image->Width * bpp;
        return new PixelBuffer(new ReadOnlySpan<byte>(image->Data, length), image->Width, image->Height, image->StrideBytes, (PixelFormat)image->Format);
    }
}
