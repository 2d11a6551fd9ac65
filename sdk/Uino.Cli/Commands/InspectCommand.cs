using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Uino.Modeling.Fss;
using Uino.Training.Settings;
using static TorchSharp.torch;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino inspect [--model FILE] [--json]</c>: the parameter counts of a UINO-FSS network by paper component
/// (Table IV's quantities), read off the modules built on the meta device. With no options it describes the embedded
/// default model (the one every other command uses); <c>--model FILE</c> describes a Uino model file, and
/// <c>--backbone vitb14 --variant full [--input-size 518]</c> (any of them) one of the paper's presets.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var backbone = CliOptions.OptionalPreset("--backbone", "A paper preset's DINOv2 backbone: vits14, vitb14, vitl14 (optionally _reg4); default vitb14 when --variant or --input-size is given.", paperOnly: true, "-b");
        var variant = CliOptions.OptionalVariant("--variant", "A paper preset's variant: full, comp, comp-star or cp4d; default full when --backbone or --input-size is given.");
        var inputSize = new Option<int?>("--input-size") { Description = "A paper preset's square input side in pixels, a multiple of 14; default 518." };
        var model = new Option<string?>("--model", "-m") { Description = "A Uino model file whose configuration to inspect (default: the embedded default model, unless a paper preset is asked for)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("inspect", "Parameter counts of a UINO-FSS network by component (default: the embedded default model).") { backbone, variant, inputSize, model, json };
        command.SetAction(r => Run(r.GetValue(backbone), r.GetValue(variant), r.GetValue(inputSize), r.GetValue(model), r.GetValue(json)));
        return command;
    }

    /// <summary>The configuration <c>uino inspect</c> describes: a model file, a paper preset, or the embedded default.</summary>
    internal static UinoFssConfig Config(ModelPreset? backbone, UinoVariant? variant, int? inputSize, string? modelFile)
    {
        bool preset = backbone is not null || variant is not null || inputSize is not null;
        if (modelFile is not null && preset)
            throw new ArgumentException("--model describes a model file; --backbone, --variant and --input-size describe a paper preset: give one or the other.");
        if (preset) return (backbone ?? ModelPreset.VitB14).Config(variant ?? UinoVariant.Full, inputSize ?? 518);
        if (modelFile is not null)
        {
            try { return UinoModelFile.ReadConfig(modelFile); }
            catch (Checkpoints.CheckpointException e) when (e.NotThisFormat is { } reason)
            {
                throw new Checkpoints.CheckpointException(Api.ModelLoader.NotAModelFile(modelFile, reason), e);
            }
        }
        using var stream = typeof(Api.ModelLoader).Assembly.GetManifestResourceStream(Api.ModelLoader.DefaultResourceName)
            ?? throw new IOException("This build of uino has no embedded default model; give --model FILE or a paper preset (--backbone vitb14 --variant full).");
        return UinoModelFile.ReadConfig(Checkpoints.SafeTensors.ReadHeader(stream, "embedded default model").Metadata, "embedded default model");
    }

    private static int Run(ModelPreset? backbone, UinoVariant? variant, int? inputSize, string? modelFile, bool json) => CommandErrors.Run("inspect", () =>
    {
        var config = Config(backbone, variant, inputSize, modelFile);
        ParameterCounts counts;
        using (var net = new UinoFss(config, META)) counts = ParameterCounts.Of(net); // shapes only: no memory, no initialisation
        var variantName = Variants.Name(config.Variant);
        if (json)
        {
            var result = new
            {
                backbone = config.EncoderName,
                variant = variantName,
                input_size = config.InputSize,
                parameters = new
                {
                    encoder = counts.Encoder,
                    bottleneck_adapter = counts.BottleneckAdapter,
                    semantic_visual_prompt = counts.SemanticVisualPrompt,
                    mamba_dense_prompt = counts.MambaDensePrompt,
                    mamba_hypercorrelation = counts.MambaHyperCorrelation,
                    prompt_encoder = counts.PromptEncoder,
                    mask_decoder = counts.MaskDecoder,
                    segmenter_total = counts.SegmenterTotal,
                    trainable = counts.Trainable,
                },
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        var table = new Table().AddColumn("Component").AddColumn(new TableColumn("Parameters").RightAligned());
        void Row(string name, long n) => table.AddRow(name, n.ToString("N0"));
        Row($"{config.EncoderName} encoder (frozen)", counts.Encoder);
        Row("Bottleneck adapter", counts.BottleneckAdapter);
        Row("Semantic-aware visual prompt", counts.SemanticVisualPrompt);
        Row("Mamba dense prompt generator", counts.MambaDensePrompt);
        Row("  of which MHCM", counts.MambaHyperCorrelation);
        Row("SAM prompt encoder", counts.PromptEncoder);
        Row("SAM mask decoder", counts.MaskDecoder);
        Row("Segmenter total", counts.SegmenterTotal);
        Row($"Trainable in stage 2 ({variantName})", counts.Trainable);
        AnsiConsole.Write(new Rule($"UINO-FSS {config.EncoderName} {variantName} @ {config.InputSize}px"));
        AnsiConsole.Write(table);
        return 0;
    });
}
