using System.CommandLine;
using Uino.Checkpoints;
using static TorchSharp.torch;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino convert --input X.pth --output Y.safetensors [--model NAME]</c>: rewrites a PyTorch or safetensors
/// checkpoint as safetensors with the same tensor names, dtypes and values, optionally checking it against a named
/// architecture first. The output is written atomically, so a failure leaves no output file (or the old one).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Checkpoint to read (.pth zip or .safetensors, detected by content).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "safetensors file to write.", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "Architecture the checkpoint must match (names and shapes) before it is written." };
        var command = new Command("convert", "Convert a PyTorch .pth checkpoint to safetensors, without running pickled code.")
        {
            input, output, model,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(output)!, parseResult.GetValue(model)));
        return command;
    }

    private static int Run(string input, string output, string? model) => CommandErrors.Run("convert", () =>
    {
        Dictionary<string, Tensor>? tensors = null;
        try
        {
            // An unknown name is reported before the (possibly multi-GB) input is read.
            if (model != null && !ArchitectureCatalog.TryGet(model, out _))
                ArchitectureCatalog.Validate(model, new Dictionary<string, Tensor>(), input);
            tensors = CheckpointFile.Load(input);
            if (model != null) ArchitectureCatalog.Validate(model, tensors, input);
            // "format: pt" is what Hugging Face loaders look for in safetensors written from PyTorch weights.
            SafeTensors.Save(output, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            Console.Out.WriteLine($"Wrote {tensors.Count} tensors to '{output}'.");
            return 0;
        }
        finally
        {
            if (tensors != null) foreach (var t in tensors.Values) t.Dispose();
        }
    });
}
