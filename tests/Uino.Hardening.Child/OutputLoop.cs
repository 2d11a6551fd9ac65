using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Hardening.Child;

/// <summary>
/// Writes a mask PNG through AtomicFile (as <c>uino segment</c> writes its outputs) over one file in a loop. Image N
/// is a pseudo-random pattern of N (incompressible, ~1 MB, so a kill can land mid-write) whose first row starts
/// with N's four bytes, so a reader can regenerate and compare every pixel.
/// </summary>
public static class OutputLoop
{
    public const string FileName = "query.mask.png";
    private const int Size = 1024;

    public static void Run(string dir)
    {
        var path = Path.Combine(dir, FileName);
        for (int n = 1; ; n++)
        {
            using var image = Image.LoadPixelData<L8>(Pixels(n), Size, Size);
            AtomicFile.Write(path, s => image.SaveAsPng(s));
            Console.WriteLine($"saved {n}");
        }
    }

    /// <summary>Decodes <paramref name="path"/> and checks every pixel against the image it claims to be; returns N.</summary>
    /// <exception cref="InvalidDataException">The file decodes but is not exactly one of the images written.</exception>
    public static int Validate(string path)
    {
        using var image = Image.Load<L8>(path);
        var bytes = new byte[Size * Size];
        image.CopyPixelDataTo(bytes);
        int n = BitConverter.ToInt32(bytes, 0);
        if (image.Width != Size || image.Height != Size || n <= 0 || !bytes.AsSpan().SequenceEqual(Pixels(n)))
            throw new InvalidDataException($"'{path}' is a {image.Width}×{image.Height} PNG but not image {n} as written.");
        return n;
    }

    private static byte[] Pixels(int n)
    {
        var bytes = new byte[Size * Size];
        new Random(n).NextBytes(bytes);
        BitConverter.GetBytes(n).CopyTo(bytes, 0);
        return bytes;
    }
}
