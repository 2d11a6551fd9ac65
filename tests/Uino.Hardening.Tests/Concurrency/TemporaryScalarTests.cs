using System.Reflection;
using NUnit.Framework;
using TorchSharp;
using Uino.Tests.Shared;
using static TorchSharp.torch;

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

    [TestCase(typeof(Samples.NumberOperand), "op_Multiply")]
    [TestCase(typeof(Samples.TensorSum), "op_Addition")]
    [TestCase(typeof(Samples.UndisposedLocal), "ToScalar")]
    [TestCase(typeof(Samples.TensorToDouble), "ToDouble")]
    public void TheScanNamesEachKindOfTemporaryScalar(Type sample, string callee) =>
        Assert.That(TemporaryScalarScan.Sites([sample]), Has.Count.EqualTo(1).And.One.Contains($".{callee}("));

    [Test]
    public void TheScanAcceptsAScalarHeldUntilDisposedAndItemReads() =>
        Assert.That(TemporaryScalarScan.Sites([typeof(Samples.DisposedLocal), typeof(Samples.ItemRead)]), Is.Empty);

    /// <summary>One pattern per class, never run: the scan only reads their IL.</summary>
    private static class Samples
    {
        internal static class NumberOperand { internal static Tensor Run(Tensor x) => x * 0.5; }
        internal static class TensorSum { internal static Tensor Run(Tensor x, Tensor y) => x + y; }
        internal static class UndisposedLocal
        {
            internal static Tensor Run(Tensor x)
            {
                var half = 0.5.ToScalar();
                return x.mul(half);
            }
        }
        internal static class TensorToDouble { internal static double Run(Tensor x) => x.ToDouble(); }
        internal static class DisposedLocal
        {
            internal static Tensor Run(Tensor x)
            {
                using var half = 0.5.ToScalar();
                return x.mul(half);
            }
        }
        internal static class ItemRead { internal static double Run(Tensor x) => x.item<double>(); }
    }
}
