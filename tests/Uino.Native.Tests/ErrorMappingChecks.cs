using System.Runtime.InteropServices;
using Uino.Checkpoints;
using Uino.Native;

namespace Uino.Native.Tests;

/// <summary>
/// The boundary's exception → UinoCode mapping for the exceptions the C test host cannot provoke (allocation
/// failures, disposal races, unexpected exception types). Prints each failure and "N passed, N failed"; exit 1 on
/// any failure.
/// </summary>
internal static class ErrorMappingChecks
{
    public static int Run()
    {
        var cases = new (Exception Error, NativeCode Code, string Needle)[]
        {
            (new OutOfMemoryException("Array dimensions exceeded supported range."), NativeCode.OutOfMemory, "Out of memory"),
            (new InsufficientMemoryException("no room"), NativeCode.OutOfMemory, "no room"),
            // What UinoSession raises when libtorch's allocator fails inside a forward pass.
            (new UinoException(UinoErrorCode.RuntimeError, "Inference failed on a 640×480 frame: DefaultCPUAllocator: can't allocate memory",
                               new ExternalException("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9000000000 bytes.")),
             NativeCode.OutOfMemory, "can't allocate memory"),
            (new UinoException(UinoErrorCode.RuntimeError, "Inference failed: shape mismatch", new ExternalException("shape mismatch")),
             NativeCode.RuntimeError, "shape mismatch"),
            (new UinoArgumentException("The frame is 0×4"), NativeCode.InvalidArgument, "0×4"),
            (new UinoNotFoundException("The model file 'x' does not exist.", "x"), NativeCode.NotFound, "'x'"),
            (new UinoModelException("not a Uino model"), NativeCode.InvalidModel, "not a Uino model"),
            (new UinoNoReferenceException("No reference has been added"), NativeCode.NoReference, "uino_session_add_reference"),
            (new ObjectDisposedException("UinoSession"), NativeCode.InvalidArgument, "released"),
            (new ArgumentOutOfRangeException("format", "Unknown pixel format 9"), NativeCode.InvalidArgument, "pixel format 9"),
            (new FileNotFoundException("gone.safetensors"), NativeCode.NotFound, "gone"),
            (new DirectoryNotFoundException("no dir"), NativeCode.NotFound, "no dir"),
            (new CheckpointException("bad header"), NativeCode.InvalidModel, "bad header"),
            (new InvalidOperationException("surprise"), NativeCode.RuntimeError, "InvalidOperationException: surprise"),
        };
        int passed = 0, failed = 0;
        foreach (var (error, code, needle) in cases)
        {
            unsafe
            {
                var status = (byte*)ErrorMapping.ToStatus(error, "uino_test");
                int got = Status.Code(status);
                string message = Marshal.PtrToStringUTF8((nint)Status.Message(status)) ?? "";
                Status.Release(status);
                bool ok = got == (int)code && message.StartsWith("uino_test: ", StringComparison.Ordinal) && message.Contains(needle, StringComparison.Ordinal);
                if (ok) passed++;
                else { failed++; Console.WriteLine($"FAIL {error.GetType().Name}: code {got}, expected {(int)code} ({code}); message '{message}' should contain '{needle}'"); }
            }
        }
        // Every SDK code reaches C with the same value.
        foreach (var code in Enum.GetValues<UinoErrorCode>())
        {
            var (mapped, _) = ErrorMapping.Classify(new UinoException(code, "x"));
            if ((int)mapped == (int)code) passed++;
            else { failed++; Console.WriteLine($"FAIL UinoErrorCode.{code} ({(int)code}) became {(int)mapped}"); }
        }
        Console.WriteLine($"error mapping: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
