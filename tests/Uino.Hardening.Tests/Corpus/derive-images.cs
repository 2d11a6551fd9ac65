// Derives the image seeds of the fuzz corpus from the committed samples (run from this folder):
//     dotnet run derive-images.cs -- ../../../samples
// Each seed is a small crop of samples/reference.png (or its mask) in one format ImageSharp decodes, so mutations
// reach every decoder with little input; two frames for GIF and TIFF exercise the multi-frame paths.
#:package SixLabors.ImageSharp@2.1.13
#:property ManagePackageVersionsCentrally=false
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

string samples = args.Length > 0 ? args[0] : "../../../samples";
string outDir = "images";
Directory.CreateDirectory(outDir);
using var reference = Image.Load<Rgb24>(Path.Combine(samples, "reference.png"));
using var mask = Image.Load<L8>(Path.Combine(samples, "reference.mask.png"));
var crop = new Rectangle(88, 120, 24, 16);  // across the object's top edge: both mask values occur
using var rgb = reference.Clone(c => c.Crop(crop));
using var gray = mask.Clone(c => c.Crop(crop));
using var rgba = rgb.CloneAs<Rgba32>();

void Save(Image image, string name, SixLabors.ImageSharp.Formats.IImageEncoder encoder) =>
    image.Save(Path.Combine(outDir, name), encoder);

Save(rgb, "rgb.png", new PngEncoder());
Save(rgba, "rgba.png", new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
Save(gray, "mask.png", new PngEncoder { ColorType = PngColorType.Grayscale });
Save(rgb, "palette.png", new PngEncoder { ColorType = PngColorType.Palette });
Save(rgb, "interlaced.png", new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
Save(rgb, "baseline.jpg", new JpegEncoder { Quality = 80 });
Save(rgb, "rgb.bmp", new BmpEncoder());
Save(rgb, "rgb.tga", new TgaEncoder { Compression = TgaCompression.RunLength });
Save(rgb, "rgb.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
Save(rgb, "lossy.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossy });
Save(gray, "mask.pgm", new PbmEncoder { ColorType = PbmColorType.Grayscale, Encoding = PbmEncoding.Binary });
using var twoFrames = rgb.Clone();
twoFrames.Frames.AddFrame(gray.CloneAs<Rgb24>().Frames.RootFrame);
Save(twoFrames, "two-frames.gif", new GifEncoder());
Save(twoFrames, "two-frames.tiff", new TiffEncoder { Compression = TiffCompression.Lzw });
Console.WriteLine($"wrote {Directory.GetFiles(outDir).Length} image seeds to {outDir}");
