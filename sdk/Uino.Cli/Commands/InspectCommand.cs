using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Uino.Modeling.Fss;
using static TorchSharp.torch;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino inspect --backbone vitb14 --variant full [--input-size 518] [--json]</c>: the parameter counts of a
/// UINO-FSS network by paper component (Table IV's quantities), read off the modules built on the meta device.
/// With <c>--model FILE</c> the configuration comes from a Uino model file instead.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var backbone = new Option<string>("--backbone", "-b") { Description = "DINOv2 backbone: vits14, vitb14, vitl14 (optionally _reg4).", DefaultValueFactory = _ => "vitb14" };
        var variant = new Option<string>("--variant") { Description = "full, comp, comp-star or cp4d.", DefaultValueFactory = _ => "full" };
        var inputSize = new Option<int>("--input-size") { Description = "Square input side in pixels, a multiple of 14.", DefaultValueFactory = _ => 518 };
        var model = new Option<string?>("--model", "-m") { Description = "A Uino model file whose configuration to inspect (overrides --backbone/--variant/--input-size)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("inspect", "Parameter counts of a UINO-FSS network by component.") { backbone, variant, inputSize, model, json };
        command.SetAction(r => Run(r.GetValue(backbone)!, r.GetValue(variant)!, r.GetValue(inputSize), r.GetValue(model), r.GetValue(json)));
        return command;
    }

    internal static UinoVariant ParseVariant(string text) => text.Trim().ToLowerInvariant() switch
    {
        "full" => UinoVariant.Full,
        "comp" => UinoVariant.Comp,
        "comp-star" or "comp*" or "compstar" => UinoVariant.CompStar,
        "cp4d" => UinoVariant.Cp4d,
        _ => throw new ArgumentException($"Unknown variant '{text}'; expected full, comp, comp-star or cp4d."),
    };

    private static int Run(string backbone, string variant, int inputSize, string? modelFile, bool json)
    {
        try
        {
            var config = modelFile is null
                ? UinoFssConfig.Preset(backbone, ParseVariant(variant), inputSize)
                : UinoModelFile.ReadConfig(modelFile);
            ParameterCounts counts;
            using (var net = new UinoFss(config, META)) counts = ParameterCounts.Of(net); // shapes only: no memory, no initialisation
            var variantName = config.Variant switch { UinoVariant.CompStar => "comp-star", var v => v.ToString().ToLowerInvariant() };
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
        }
        catch (Exception e) when (e is ArgumentException or Checkpoints.CheckpointException or IOException)
        {
            return CommandErrors.Fail("inspect", e);
        }
    }
}
