using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data.Synthetic;

/// <summary>Writes the committed preview set of the synthetic benchmark (repository folder <c>samples/</c>).</summary>
public static class SyntheticSamples
{
    /// <summary>
    /// Writes, for one NOVEL class of fold 0 chosen by <paramref name="seed"/>: <c>reference.png</c> +
    /// <c>reference.mask.png</c>, <c>query.png</c> + <c>query.mask.png</c>, <c>queries/query2.png</c>,
    /// <c>queries/query3.png</c> (+ masks), all of that class with distractors of other novel classes, and
    /// <c>classes.png</c>, one swatch per class (columns: pattern families; rows: palettes). Masks are 8-bit 0/255.
    /// Returns the class id.
    /// </summary>
    public static int Write(string directory, int seed, int size = SyntheticScene.DefaultSize)
    {
        var dataset = new SyntheticFewShotDataset(0, FewShotSplit.Val, size, seed);
        var random = new Random(seed);
        int cls = dataset.Classes[random.Next(dataset.Classes.Count)];
        Directory.CreateDirectory(Path.Combine(directory, "queries"));
        string[] names = ["reference", "query", "queries/query2", "queries/query3"];
        foreach (string name in names)
        {
            using var scene = dataset.Scene(cls, (ulong)random.NextInt64());
            scene.Image.SaveAsPng(Path.Combine(directory, name + ".png"));
            using var mask = ToImage(scene.Mask);
            mask.SaveAsPng(Path.Combine(directory, name + ".mask.png"));
        }
        using var sheet = ClassSheet(32);
        sheet.SaveAsPng(Path.Combine(directory, "classes.png"));
        return cls;
    }

    /// <summary>The mask as an 8-bit image: 1 → 255, 0 → 0, ignore (255) → 128.</summary>
    public static Image<L8> ToImage(LabelMask mask)
    {
        var image = new Image<L8>(mask.Width, mask.Height);
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    byte v = mask[x, y];
                    row[x] = new L8(v == 1 ? (byte)255 : v == LabelMask.Ignore ? (byte)128 : (byte)0);
                }
            }
        });
        return image;
    }

    /// <summary>One swatch per class: column = pattern family, row = palette.</summary>
    public static Image<Rgb24> ClassSheet(int cell)
    {
        var sheet = new Image<Rgb24>(cell * SyntheticClass.FamilyCount, cell * SyntheticClass.PaletteCount);
        foreach (var cls in SyntheticClass.All)
        {
            using var swatch = cls.Swatch(cell * 2, (ulong)cls.Id);
            int ox = (int)cls.Family * cell, oy = cls.PaletteIndex * cell;
            for (int y = 0; y < cell; y++)
                for (int x = 0; x < cell; x++)
                    sheet[ox + x, oy + y] = swatch[x + cell / 2, y + cell / 2];
        }
        return sheet;
    }
}
