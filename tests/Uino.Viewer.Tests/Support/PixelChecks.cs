using NUnit.Framework;
using OpenCvSharp;

namespace Uino.Viewer.Tests.Support;

/// <summary>Pixel statistics over screenshots: which pixels the overlay changed, inside and outside a mask.</summary>
internal static class PixelChecks
{
    /// <summary>
    /// Pixels of <paramref name="screen"/> (BGR) that differ from <paramref name="plain"/> (the frame as drawn without
    /// overlay, same size) by more than <paramref name="threshold"/> summed over the channels.
    /// </summary>
    public static Mat Changed(Mat screen, Mat plain, int threshold)
    {
        Assert.That(screen.Size(), Is.EqualTo(plain.Size()));
        int rows = screen.Rows, cols = screen.Cols;
        var changed = new Mat(rows, cols, MatType.CV_8UC1, Scalar.All(0));
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
            {
                Vec3b p = screen.At<Vec3b>(y, x), q = plain.At<Vec3b>(y, x);
                if (Math.Abs(p.Item0 - q.Item0) + Math.Abs(p.Item1 - q.Item1) + Math.Abs(p.Item2 - q.Item2) > threshold) changed.At<byte>(y, x) = 255;
            }
        return changed;
    }

    /// <summary>The mask shrunk by <paramref name="band"/> pixels (its sure inside) and the complement shrunk likewise (sure outside).</summary>
    public static (Mat Inside, Mat Outside) Cores(Mat mask, int band)
    {
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * band + 1, 2 * band + 1));
        var inside = new Mat();
        Cv2.Erode(mask, inside, kernel);
        using var inverted = new Mat();
        Cv2.BitwiseNot(mask, inverted);
        var outside = new Mat();
        Cv2.Erode(inverted, outside, kernel);
        return (inside, outside);
    }

    /// <summary>Fraction of the nonzero pixels of <paramref name="region"/> that are nonzero in <paramref name="changed"/>.</summary>
    public static double FractionChanged(Mat changed, Mat region)
    {
        int total = Cv2.CountNonZero(region);
        Assert.That(total, Is.GreaterThan(100), "the region to measure is (almost) empty");
        using var both = new Mat();
        Cv2.BitwiseAnd(changed, region, both);
        return (double)Cv2.CountNonZero(both) / total;
    }
}
