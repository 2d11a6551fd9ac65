using System.Reflection;
using NUnit.Framework;
using Uino.Tests.Shared;

namespace Uino.Hardening.Concurrency;

/// <summary>
/// No call of the SDK, the trainer or the C ABI hands native code a Scalar nobody references (see
/// <see cref="TemporaryScalarScan"/>; the CLI and the viewer are scanned by their own test projects).
/// </summary>
public class TemporaryScalarTests
{
    [TestCase("Uino.Sdk")]
    [TestCase("Uino.Training")]
    [TestCase("uino")] // Uino.Native: libuino's managed code
    public void NoCallHandsNativeCodeATemporaryScalar(string assemblyName) =>
        TemporaryScalarScan.AssertNoTemporaryScalars(Assembly.Load(assemblyName));
}
