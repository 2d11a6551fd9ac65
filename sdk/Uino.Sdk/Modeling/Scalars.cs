using TorchSharp;

namespace Uino.Modeling;

/// <summary>
/// Scalar constants kept alive for the process. TorchSharp 0.107 turns a C# number into a <see cref="Scalar"/> with
/// a native handle freed by its finalizer, and its ops pass only the handle to native code: under allocation
/// pressure from other threads (parallel episode loading, a live loop beside a UI) the temporary can be finalised
/// while the native op still reads it ("Unknown scalar type", "Expected false to be true" from eq). A rooted static
/// never is. Use these in code that runs often or on several threads. The operators hide such temporaries too:
/// <c>a + b</c> and <c>a + scalar</c> call <c>add(…, alpha: 1)</c> with a fresh alpha Scalar (<c>-</c>, <c>*</c> and
/// <c>/</c> between tensors do not), so code on the episode loader's threads writes <c>a.add(b, Scalars.One)</c>.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0f.ToScalar();
    public static readonly Scalar One = 1f.ToScalar();
    /// <summary>The "ignore" label value of PASCAL/COCO masks, and the 0/255 scale of 8-bit masks.</summary>
    public static readonly Scalar Ignore = 255f.ToScalar();
    public static readonly Scalar Byte255 = 255.ToScalar();
}
