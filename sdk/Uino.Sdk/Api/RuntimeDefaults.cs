using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Uino.Api;

/// <summary>
/// Threading defaults chosen by the SDK, before libtorch starts, for every host (CLI, viewer, libuino, tests).
/// libtorch's OpenMP runtime reads <c>OMP_WAIT_POLICY</c> once, when it is loaded; its default (active) wait makes
/// idle intra-op threads spin between operations, so on a shared CPU — a camera thread, a UI, any other busy
/// process — two threads become many times slower than one (docs/performance.md, "Threads"). The SDK sets the
/// passive policy in the process environment when this assembly loads, unless the user set one.
/// </summary>
internal static class RuntimeDefaults
{
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>The wait policy libtorch's OpenMP sees: the C environment's (the user's, or the SDK's passive default).</summary>
    public static string WaitPolicy =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Marshal.PtrToStringAnsi(GetEnv(WaitPolicyVariable)) : Environment.GetEnvironmentVariable(WaitPolicyVariable))
        ?? "unset";

#pragma warning disable CA2255 // A library module initializer on purpose: it must run before any host's first libtorch call.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(WaitPolicyVariable))) return;
        // .NET's SetEnvironmentVariable changes only the managed copy on Unix; libgomp reads the C environment.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = SetEnv(WaitPolicyVariable, "PASSIVE", 0);
        Environment.SetEnvironmentVariable(WaitPolicyVariable, "PASSIVE");
    }

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr GetEnv(string name);

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
