namespace Uino.Native;

/// <summary>
/// UinoCode of uino.h. The SDK's <see cref="UinoErrorCode"/> values are defined to equal the C codes; tying each
/// member to it here makes a drift a compile-time change rather than a silent mismatch. The C ABI adds success
/// and out-of-memory, which the .NET API expresses as no exception and <see cref="OutOfMemoryException"/>.
/// </summary>
internal enum NativeCode
{
    Ok = 0,
    InvalidArgument = UinoErrorCode.InvalidArgument,
    NotFound = UinoErrorCode.NotFound,
    InvalidModel = UinoErrorCode.InvalidModel,
    NoReference = UinoErrorCode.NoReference,
    RuntimeError = UinoErrorCode.RuntimeError,
    OutOfMemory = 6,
}
