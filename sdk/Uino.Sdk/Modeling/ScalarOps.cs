using TorchSharp;
using static TorchSharp.torch;

namespace Uino.Modeling;

/// <summary>
/// Tensor arithmetic that keeps every <see cref="Scalar"/> it hands to native code referenced until the op returns.
/// TorchSharp 0.107's operators do not: <c>a + b</c> calls <c>add(b, alpha)</c> with an alpha made on the fly, and
/// <c>x * 0.5</c> converts 0.5 into a Scalar that is unreachable while the native op reads it. A collection on
/// another thread (a camera, a UI, the episode loader) can then finalise it mid-op: "Expected false to be true" from
/// <c>Scalar::toFloat</c>, or a wrong value. Model code uses these instead of the operators with an alpha or a number
/// (tensor <c>-</c>, <c>*</c>, <c>/</c> between tensors are safe); <c>TemporaryScalarTests</c> enforces it.
/// </summary>
internal static class ScalarOps
{
    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    // The number-taking forms below go through With, which holds the Scalar; long overloads keep integer tensors
    // integer, as the operators with an int would.

    /// <summary>a + b for a number b.</summary>
    public static Tensor Plus(this Tensor a, double b) => With(b, s => a.add(s, Scalars.One));

    /// <summary>a + b for an integer b.</summary>
    public static Tensor Plus(this Tensor a, long b) => With(b, s => a.add(s, Scalars.One));

    /// <summary>a − b for a number b.</summary>
    public static Tensor Minus(this Tensor a, double b) => With(b, a.sub);

    /// <summary>a − b for an integer b.</summary>
    public static Tensor Minus(this Tensor a, long b) => With(b, a.sub);

    /// <summary>b − a.</summary>
    public static Tensor SubtractedFrom(this Tensor a, double b)
    {
        using var negated = a.neg();
        return negated.Plus(b);
    }

    /// <summary>a · b for a number b.</summary>
    public static Tensor Times(this Tensor a, double b) => With(b, a.mul);

    /// <summary>a · b for an integer b.</summary>
    public static Tensor Times(this Tensor a, long b) => With(b, a.mul);

    /// <summary>a / b for a number b.</summary>
    public static Tensor Over(this Tensor a, double b) => With(b, s => a.div(s));

    /// <summary>a / b for an integer b (true division, as the operator).</summary>
    public static Tensor Over(this Tensor a, long b) => With(b, s => a.div(s));

    /// <summary>Calls <paramref name="op"/> with <paramref name="value"/> as a Scalar held until it returns.</summary>
    public static Tensor With(double value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// <summary>Calls <paramref name="op"/> with <paramref name="value"/> as an integer Scalar held until it returns.</summary>
    public static Tensor With(long value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// <summary><c>torch.arange(start, stop, step)</c> with its Scalars held (integer bounds give an int64 tensor).</summary>
    public static Tensor Arange(long start, long stop, long step = 1, ScalarType? dtype = null, Device? device = null)
    {
        using var a = start.ToScalar();
        using var b = stop.ToScalar();
        using var c = step.ToScalar();
        return arange(a, b, c, dtype, device);
    }

    /// <summary>
    /// softplus(x) = log(1 + eˣ) as max(x, 0) + log1p(e^−|x|), which is exact and stable everywhere. TorchSharp's
    /// <c>softplus(beta, threshold)</c> makes two Scalars on the fly; PyTorch's threshold (x &gt; 20 → x) differs
    /// from this by less than e⁻²⁰.
    /// </summary>
    public static Tensor Softplus(Tensor x)
    {
        using var scope = NewDisposeScope();
        return x.relu().add(x.abs().neg().exp().log1p(), Scalars.One).MoveToOuterDisposeScope();
    }
}
