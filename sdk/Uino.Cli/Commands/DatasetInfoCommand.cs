using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Uino.Training.Data;
using Uino.Training.Data.Fss1000;
using Uino.Training.Data.RealPhotos;
using Uino.Training.Data.Synthetic;

namespace Uino.Cli.Commands;

/// <summary>
/// <c>uino dataset-info --dataset pascal|coco|fss1000|real|synthetic [--root DIR] --fold F --split train|val [--json]</c>:
/// the classes of a fold/split and how many images hold each (after the standard per-class filters). The dataset is
/// opened as <c>uino train</c> and <c>uino eval</c> open it (synthetic needs no root; its scenes are generated on
/// demand, so its count per class is the nominal <see cref="SyntheticFewShotDataset.NominalImagesPerClass"/>).
/// </summary>
public static class DatasetInfoCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "pascal, coco, fss1000, real (the shared real photos, e.g. --root ../shared/data) or synthetic", Required = true };
        var root = new Option<string?>("--root") { Description = "dataset root folder (not needed for synthetic)" };
        var fold = new Option<int>("--fold") { Description = "fold: 0..3 (pascal, coco, synthetic), 0 (fss1000, real)", DefaultValueFactory = _ => 0 };
        var split = CliOptions.Split("train/base (base classes) or val/novel (novel classes; real: the held-out classes)");
        var lists = new Option<string?>("--lists") { Description = "folder of PASCAL train_aug.txt/val.txt or FSS-1000 trn/val/test.txt" };
        var cache = new Option<string?>("--cache") { Description = "folder caching PASCAL mask scans" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var command = new Command("dataset-info", "Classes of a dataset fold/split and the number of images per class.")
        {
            dataset, root, fold, split, lists, cache, json,
        };
        command.SetAction(parse => CommandErrors.Run("dataset-info", () =>
        {
            string name = parse.GetValue(dataset)!;
            var splitValue = parse.GetValue(split);
            var ds = name.Trim().Equals("synthetic", StringComparison.OrdinalIgnoreCase)
                ? TrainingDatasets.Open(name, parse.GetValue(root), parse.GetValue(fold), splitValue)     // as train and eval open it
                : DatasetFactory.Open(name, parse.GetValue(root) ?? "", parse.GetValue(fold), splitValue,
                    new DatasetOptions { ListDirectory = parse.GetValue(lists), CacheDirectory = parse.GetValue(cache) });
            if (parse.GetValue(json)) Console.Out.WriteLine(ToJson(ds));
            else WriteTable(ds);
            return 0;
        }));
        return command;
    }

    /// <summary>{"dataset":…, "fold":…, "split":…, "classes":[ids], "images_per_class":{"id":count,…}}</summary>
    public static string ToJson(IFewShotDataset ds) => JsonSerializer.Serialize(new DatasetInfoJson(
        ds.Name, ds.Fold, ds.Split == FewShotSplit.Train ? "train" : "val", [.. ds.Classes],
        ds.Classes.ToDictionary(c => c.ToString(CultureInfo.InvariantCulture), c => ds.ImagesPerClass[c])));

    private sealed record DatasetInfoJson(
        [property: JsonPropertyName("dataset")] string Dataset,
        [property: JsonPropertyName("fold")] int Fold,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("classes")] int[] Classes,
        [property: JsonPropertyName("images_per_class")] Dictionary<string, int> ImagesPerClass);

    private static void WriteTable(IFewShotDataset ds)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var names = ds switch
        {
            Fss1000Dataset fss => fss.ClassNames,
            RealPhotoDataset real => real.Classes.ToDictionary(c => c, real.ClassName),
            SyntheticFewShotDataset synthetic => synthetic.Classes.ToDictionary(c => c, c => SyntheticClass.Get(c).Name),
            _ => null,
        };
        var table = new Table().Title($"{ds.Name} fold {ds.Fold} {(ds.Split == FewShotSplit.Train ? "train" : "val")}");
        table.AddColumn("class");
        if (names is not null) table.AddColumn("name");
        table.AddColumn(new TableColumn("images").RightAligned());
        foreach (var c in ds.Classes)
        {
            var row = new List<string> { c.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (names is not null) row.Add(Markup.Escape(names[c]));
            row.Add(ds.ImagesPerClass[c].ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow(row.ToArray());
        }
        console.Write(table);
        if (ds is SyntheticFewShotDataset)
            console.WriteLine($"{ds.Classes.Count} classes; scenes are generated on demand (the count per class is nominal)");
        else
            console.WriteLine($"{ds.Classes.Count} classes, {ds.ImagesPerClass.Values.Sum()} (image, class) entries");
    }
}
