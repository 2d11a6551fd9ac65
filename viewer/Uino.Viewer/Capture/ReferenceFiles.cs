using OpenCvSharp;

namespace Uino.Viewer.Capture;

/// <summary>
/// Writes a captured shot as <c>reference-N.png</c> and <c>reference-N.mask.png</c> (0/255, the pair
/// <c>--reference/--mask</c> and <c>uino segment</c> read), N the first number not yet used in the folder.
/// </summary>
internal static class ReferenceFiles
{
    public static (string Image, string Mask) Save(string folder, Mat image, byte[] mask)
    {
        Directory.CreateDirectory(folder);
        int n = 1;
        while (File.Exists(Path.Combine(folder, $"reference-{n}.png")) || File.Exists(Path.Combine(folder, $"reference-{n}.mask.png"))) n++;
        string imagePath = Path.Combine(folder, $"reference-{n}.png"), maskPath = Path.Combine(folder, $"reference-{n}.mask.png");
        if (!Cv2.ImWrite(imagePath, image)) throw new ViewerException($"Could not write '{imagePath}'.");
        using var m = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC1, mask);
        if (!Cv2.ImWrite(maskPath, m)) throw new ViewerException($"Could not write '{maskPath}'.");
        return (imagePath, maskPath);
    }
}
