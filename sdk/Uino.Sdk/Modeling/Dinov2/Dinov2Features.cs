using static TorchSharp.torch;

namespace Uino.Modeling.Dinov2;

/// <summary>
/// What <see cref="DinoVisionTransformer.ForwardFeatures"/> returns: the official <c>forward_features</c> outputs
/// (normed class token and normed patch tokens, laid out as an image) plus the raw outputs of the blocks asked for.
/// The caller owns (disposes) every tensor.
/// </summary>
/// <param name="ClsToken">x_norm_clstoken, B×C.</param>
/// <param name="PatchTokens">x_norm_patchtokens as B×C×h×w (h = H/14, w = W/14).</param>
/// <param name="RegisterTokens">x_norm_regtokens, B×R×C (R may be 0).</param>
/// <param name="Blocks">Raw (un-normed) patch tokens of each requested block, B×C×h×w, in request order.</param>
internal sealed record Dinov2Features(Tensor ClsToken, Tensor PatchTokens, Tensor RegisterTokens, IReadOnlyList<Tensor> Blocks)
    : IDisposable
{
    public void Dispose()
    {
        ClsToken.Dispose();
        PatchTokens.Dispose();
        RegisterTokens.Dispose();
        foreach (var t in Blocks) t.Dispose();
    }
}
