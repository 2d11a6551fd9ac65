using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using Uino.Modeling.Dinov2;
using Uino.Modeling.Fss.Encoders;
using Uino.Modeling.Sam;
using static TorchSharp.torch;

namespace Uino.Modeling.Fss;

/// <summary>
/// The whole UINO-FSS network (Fig. 3): a frozen image encoder (DINOv2, or a pretrained ResNet) and the lightweight
/// segmenter — Bottleneck Adapter, Meta-Visual Prompt Generator (semantic-aware visual prompt + Mamba dense prompt,
/// or the prototype-cosine dense prompt of the Comp variants) and SAM's prompt encoder and mask decoder.
/// State-dict keys: <c>encoder.*</c> (the backbone's own names), <c>adapter.*</c>, <c>svp.*</c>, <c>mhcm.*</c>,
/// <c>dense_head.*</c>, <c>prompt_encoder.*</c> and <c>mask_decoder.*</c> (SAM's own names).
/// <para>
/// This is the network's only forward: <see cref="EncodeReference"/> (everything the support gives) and
/// <see cref="Segment"/> (per query). It opens no no-grad region: frozen parts are frozen by <c>requires_grad</c>
/// (<see cref="FreezeForStage2"/>), so training back-propagates through exactly what it trains, and inference wraps
/// the calls in inference mode at the session, as SAM's predictor does.
/// </para>
/// </summary>
internal sealed class UinoFss : nn.Module
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly nn.Module encoder;
    private readonly BottleneckAdapter adapter;
    private readonly SemanticVisualPrompt svp;
    private readonly MambaHyperCorrelation? mhcm;
    private readonly DensePromptHead? dense_head;
    private readonly PromptEncoder prompt_encoder;
    private readonly MaskDecoder mask_decoder;
#pragma warning restore IDE1006

    private readonly ImageEncoder imageEncoder;
    private readonly MetaVisualPromptGenerator promptGenerator;

    public UinoFssConfig Config { get; }
    /// <summary>The backbone module (DINOv2's or the ResNet's own layout).</summary>
    internal nn.Module Encoder => encoder;
    /// <summary>The DINOv2 backbone, for the paths that exist only for it.</summary>
    internal DinoVisionTransformer Vit => encoder as DinoVisionTransformer
        ?? throw new InvalidOperationException($"This model's encoder is {Config.EncoderName}, not DINOv2.");
    internal BottleneckAdapter Adapter => adapter;
    internal SemanticVisualPrompt Svp => svp;
    internal MambaHyperCorrelation? Mhcm => mhcm;
    internal DensePromptHead? DenseHead => dense_head;
    internal PromptEncoder PromptEncoder => prompt_encoder;
    internal MaskDecoder MaskDecoder => mask_decoder;

    /// <summary>True for the variants with the Mamba (or CP4D) dense prompt generator.</summary>
    public bool HasDensePromptGenerator => Config.Variant is UinoVariant.Full or UinoVariant.Cp4d;

    /// <summary>Counts the support-side computations (each reference encoding adds one); tests use it.</summary>
    public long ReferenceEncodings { get; private set; }

    /// <param name="config">The architecture.</param>
    /// <param name="device">Where to allocate the weights (default CPU); <c>meta</c> builds the key/shape layout only.</param>
    /// <remarks>If a layer cannot be built (a width libtorch refuses), the layers made before it are freed.</remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields, typeof(UinoFss))]
    public UinoFss(UinoFssConfig config, Device? device = null) : base(nameof(UinoFss))
    {
        config.Validate();
        Config = config;
        using var build = new LayerBuild();
        imageEncoder = ImageEncoder.Create(config, device);
        encoder = imageEncoder.Module;
        adapter = new BottleneckAdapter(imageEncoder.LowChannels, config.AdapterBottleneck, config.AdapterInner, config.AdapterFfn,
                                        config.AdapterHeads, config.Decoder.EmbedDim, device: device);
        svp = new SemanticVisualPrompt(imageEncoder.LayerChannels[^1], config.SvpHidden, config.SvpPrototype, config.Decoder.EmbedDim, device);
        if (HasDensePromptGenerator)
        {
            mhcm = new MambaHyperCorrelation(config.CorrelationLayers, config.HyperChannels, config.QueryPartition,
                                             config.SupportPartition, config.StateDim, withVss: config.Variant == UinoVariant.Full, device);
            dense_head = new DensePromptHead(config.HyperChannels, config.HeadWidth, device);
        }
        var d = config.Decoder;
        prompt_encoder = new PromptEncoder(d.EmbedDim, (d.ImageEmbeddingSize, d.ImageEmbeddingSize),
                                           (d.InputImageSize, d.InputImageSize), d.MaskInChans, device);
        mask_decoder = new MaskDecoder(d.EmbedDim, new TwoWayTransformer(d.TransformerDepth, d.EmbedDim, d.NumHeads, d.MlpDim, device: device),
                                       d.NumMultimaskOutputs, d.IouHeadDepth, d.IouHeadHiddenDim, device);
        promptGenerator = new MetaVisualPromptGenerator(svp, mhcm is null ? null : new MambaDensePromptGenerator(mhcm, dense_head!, config.SupportGrid));
        RegisterComponents();
        build.Complete();
    }

    /// <summary>
    /// What stage 2 (episodic meta-training, Sec. IV-E) trains for this variant; the encoder is always frozen then,
    /// and so is the adapter that stage 1 distilled from SAM. Comp* freezes SAM's prompt encoder and decoder too
    /// (Table IV: 0.07M trainable). A ResNet-encoder model has no stage 1 (no SAM teacher is available for it), so its
    /// adapter trains in stage 2 with the rest (docs/design-choices.md).
    /// </summary>
    public IReadOnlyList<nn.Module> Stage2TrainableModules
    {
        get
        {
            var modules = Config.Variant switch
            {
                UinoVariant.Full or UinoVariant.Cp4d => new List<nn.Module> { svp, mhcm!, dense_head!, prompt_encoder, mask_decoder },
                UinoVariant.Comp => new List<nn.Module> { svp, prompt_encoder, mask_decoder },
                _ => new List<nn.Module> { svp },
            };
            if (Config.ResNet is not null) modules.Insert(0, adapter);
            return modules;
        }
    }

    /// <summary>Sets requires_grad so that exactly <see cref="Stage2TrainableModules"/> train.</summary>
    public void FreezeForStage2()
    {
        foreach (var p in parameters()) p.requires_grad = false;
        foreach (var m in Stage2TrainableModules)
            foreach (var p in m.parameters()) p.requires_grad = true;
    }

    /// <summary>One pass of the encoder: the adapter's input (when asked) and the correlated layers.</summary>
    internal EncodedImages EncodeImages(Tensor images, bool withLow)
    {
        ValidateImages(images);
        return imageEncoder.Encode(images, withLow);
    }

    /// <summary>
    /// Computes the reference cache: everything of Eq. 2–8 and 10 that depends only on the support.
    /// </summary>
    /// <param name="supportImages">Bs×K×3×H×W, preprocessed.</param>
    /// <param name="supportMasks">Bs×K×H×W binary masks (0/1 floats).</param>
    /// <param name="prototypePrior">Prepare the prototype-cosine prior (PCS) instead of the Mamba dense prompt: the Comp
    /// variants' own prompt, and the ablation of a full model (<c>uino eval --dense-prompt pcs</c>).</param>
    /// <param name="svpKeep">Training only: Bs×1×1 of 0/1 multiplying each episode's SVP token (0 drops it; SVP dropout).</param>
    public ReferenceFeatures EncodeReference(Tensor supportImages, Tensor supportMasks, bool prototypePrior = false, Tensor? svpKeep = null)
    {
        if (supportImages.dim() != 5 || supportMasks.dim() != 4 || supportImages.shape[0] != supportMasks.shape[0] ||
            supportImages.shape[1] != supportMasks.shape[1] || supportImages.shape[3] != supportMasks.shape[2] ||
            supportImages.shape[4] != supportMasks.shape[3])
            throw new ArgumentException($"Support images must be Bs×K×3×H×W with masks Bs×K×H×W, got [{string.Join(", ", supportImages.shape)}] and [{string.Join(", ", supportMasks.shape)}].");
        ReferenceEncodings++;
        using var scope = NewDisposeScope();
        long bs = supportImages.shape[0], k = supportImages.shape[1];
        var layers = EncodeImages(supportImages.flatten(0, 1), withLow: false).Layers;
        var masks = Prototypes.ToFeatureGrid(supportMasks.flatten(0, 1), layers[0].shape[2], layers[0].shape[3]);   // BsK×1×h×w
        var reference = promptGenerator.EncodeSupport(layers, masks, bs, k, prototypePrior, svpKeep);
        reference.MoveToOuterDisposeScope();
        return reference;
    }

    /// <summary>
    /// A whole episode batch: <see cref="EncodeReference"/> then <see cref="Segment"/> (training and evaluation;
    /// the session keeps the reference instead and segments frame after frame).
    /// </summary>
    public UinoFssOutput Forward(Tensor supportImages, Tensor supportMasks, Tensor queryImages, bool prototypePrior = false, Tensor? svpKeep = null)
    {
        using var reference = EncodeReference(supportImages, supportMasks, prototypePrior, svpKeep);
        return Segment(queryImages, reference);
    }

    /// <summary>
    /// Segments query images B×3×H×W against a reference (Bs = 1 or B), with the dense prompt the reference was
    /// encoded for (the Mamba dense prompt, or the prototype-cosine prior).
    /// </summary>
    public UinoFssOutput Segment(Tensor queryImages, ReferenceFeatures reference)
    {
        if (reference.Batch != 1 && reference.Batch != queryImages.shape[0])
            throw new ArgumentException($"The reference holds {reference.Batch} episodes; the query batch is {queryImages.shape[0]}.");
        using var scope = NewDisposeScope();
        EncodedImages encoded;
        using (Stages.Begin("encoder")) encoded = EncodeImages(queryImages, withLow: true);
        long b = queryImages.shape[0];
        var (mh, mw) = prompt_encoder.MaskInputSize;

        Tensor embedding;
        using (Stages.Begin("adapter")) embedding = adapter.call(encoded.Low!);   // frozen in stage 2 (requires_grad)

        var (maskInput, priorLogits) = promptGenerator.DensePrompt(encoded.Layers, reference, mh, mw);

        Tensor sparse, dense;
        using (Stages.Begin("visual_prompt"))
        {
            // The SVP token itself was computed with the reference; per frame only the prompt encoder runs.
            (var noSparse, dense) = prompt_encoder.Forward(null, null, maskInput);
            sparse = cat(new[] { noSparse, reference.SparsePrompt.expand(b, -1, -1) }, 1);
        }
        Tensor lowRes, iou, logits;
        using (Stages.Begin("decoder"))
        {
            (lowRes, iou) = mask_decoder.Forward(embedding, prompt_encoder.GetDensePe(), sparse, dense, multimaskOutput: false);
            logits = nn.functional.interpolate(lowRes, new long[] { queryImages.shape[2], queryImages.shape[3] },
                                               mode: InterpolationMode.Bilinear, align_corners: false);
        }
        return new UinoFssOutput(logits.MoveToOuterDisposeScope(), priorLogits?.MoveToOuterDisposeScope(),
                                 lowRes.MoveToOuterDisposeScope(), iou.MoveToOuterDisposeScope());
    }

    private void ValidateImages(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"Images must be B×3×H×W, got [{string.Join(", ", images.shape)}].");
        if (images.shape[2] % Config.InputMultiple != 0 || images.shape[3] % Config.InputMultiple != 0)
            throw new ArgumentException($"Image size {images.shape[2]}×{images.shape[3]} is not a multiple of {Config.InputMultiple}.");
        if (images.shape[2] != Config.InputSize || images.shape[3] != Config.InputSize)
            throw new ArgumentException($"This model runs at {Config.InputSize}×{Config.InputSize}; got {images.shape[2]}×{images.shape[3]}.");
    }
}
