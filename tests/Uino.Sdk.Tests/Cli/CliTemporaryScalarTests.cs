using System.Reflection;
using NUnit.Framework;
using Uino.Tests.Shared;

namespace Uino.Tests.Cli;

/// <summary>The CLI hands native code no Scalar nobody references (see <see cref="TemporaryScalarScan"/>).</summary>
public class CliTemporaryScalarTests
{
    [Test]
    public void NoCallHandsNativeCodeATemporaryScalar() =>
        TemporaryScalarScan.AssertNoTemporaryScalars(Assembly.Load("uino"));
}
