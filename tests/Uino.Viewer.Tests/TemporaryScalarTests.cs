using System.Reflection;
using NUnit.Framework;
using Uino.Tests.Shared;

namespace Uino.Viewer.Tests;

/// <summary>The viewer hands native code no Scalar nobody references (see <see cref="TemporaryScalarScan"/>).</summary>
public class TemporaryScalarTests
{
    [Test]
    public void NoCallHandsNativeCodeATemporaryScalar() =>
        TemporaryScalarScan.AssertNoTemporaryScalars(Assembly.Load("uino-viewer"));
}
