using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Data;

/// <summary>
/// A binary segmentation label at an image's own resolution: 0 background, 1 the episode's class, 255 ignored
/// (PASCAL's object boundaries; never counted by losses or metrics).
/// </summary>
public sealed record LabelMask(int Width, int Height, byte[] Values)
{
    public const byte Ignore = 255;
    public byte this[int x, int y] => Values[y * Width + x];
}

/// <summary>One labelled image of an episode: the picture and its binary mask for the episode's class.</summary>
public sealed record LabelledImage(Image<Rgb24> Image, LabelMask Mask, string Name) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>A few-shot episode: K support shots and one query, all of class <see cref="ClassId"/>.</summary>
public sealed record Episode(int ClassId, IReadOnlyList<LabelledImage> Support, LabelledImage Query) : IDisposable
{
    public void Dispose()
    {
        foreach (var s in Support) s.Dispose();
        Query.Dispose();
    }
}
