using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// Element counts of a UINO-FSS network by paper component (Sec. V-C3, Table IV), as <c>uino inspect</c> prints
/// them. <see cref="SegmenterTotal"/> is everything but the DINOv2 encoder; <see cref="Trainable"/> what stage 2
/// trains for the variant.
/// </summary>
internal sealed record ParameterCounts(long Encoder, long BottleneckAdapter, long SemanticVisualPrompt, long MambaDensePrompt,
                                       long MambaHyperCorrelation, long PromptEncoder, long MaskDecoder, long SegmenterTotal,
                                       long Trainable)
{
    public static ParameterCounts Of(UinoFss model)
    {
        static long Count(nn.Module? m) => m is null ? 0 : m.parameters().Sum(p => p.numel());
        long mhcm = Count(model.Mhcm);
        long mdpg = mhcm + Count(model.DenseHead);
        long adapter = Count(model.Adapter), svp = Count(model.Svp), pe = Count(model.PromptEncoder), md = Count(model.MaskDecoder);
        return new ParameterCounts(Count(model.Encoder), adapter, svp, mdpg, mhcm, pe, md,
                                   adapter + svp + mdpg + pe + md, model.Stage2TrainableModules.Sum(Count));
    }
}
