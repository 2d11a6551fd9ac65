using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using OpenCvSharp;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Cli.Commands;

/// <summary>
/// What <c>uino segment --query Q</c> reads: an image file, a folder of images, or a video file. Each yields frames
/// one at a time, with the name its outputs get (<c>name.mask.png</c>, <c>name.overlay.png</c>). Opening checks every
/// input it can before anything is written (every image header; that a video opens and has a first frame).
/// </summary>
internal abstract class QuerySource : IDisposable
{
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".tif", ".tiff", ".webp", ".pbm",
    };

    public static readonly IReadOnlySet<string> VideoExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".wmv", ".mpg", ".mpeg", ".flv",
    };

    /// <summary>What the summary line calls the frames ("image(s)" or "frame(s) of clip.avi").</summary>
    public abstract string Unit { get; }

    /// <summary>The number of frames when known in advance (a video's count is the container's estimate).</summary>
    public abstract int? Count { get; }

    /// <summary>The frames in order; each image is the caller's to dispose.</summary>
    public abstract IEnumerable<(string Name, Image<Rgb24> Frame)> Frames();

    public virtual void Dispose() { }

    /// <summary>Opens <paramref name="query"/> as a video, an image or a folder of images.</summary>
    /// <exception cref="UinoNotFoundException">The path does not exist.</exception>
    /// <exception cref="UinoArgumentException">It cannot be read, or a folder holds no images.</exception>
    public static QuerySource Open(string query)
    {
        if (File.Exists(query))
            return VideoExtensions.Contains(Path.GetExtension(query)) ? VideoRuntime.Guard(query, () => new VideoQuery(query)) : new ImageQuery(new List<string> { query });
        if (Directory.Exists(query))
        {
            var files = Directory.EnumerateFiles(query)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
                .Where(f => !IsOutputName(Path.GetFileNameWithoutExtension(f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0) throw new UinoArgumentException($"The query folder '{query}' holds no images ({string.Join(", ", ImageExtensions.Order())}).");
            return new ImageQuery(files);
        }
        throw new UinoNotFoundException($"The query '{query}' does not exist.", query);
    }

    private static bool IsOutputName(string stem) =>
        stem.EndsWith(".mask", StringComparison.OrdinalIgnoreCase) || stem.EndsWith(".overlay", StringComparison.OrdinalIgnoreCase);

    /// <summary>Image files; every header is read when opened, so a bad image among many is reported before any output.</summary>
    private sealed class ImageQuery : QuerySource
    {
        private readonly List<string> files;

        public ImageQuery(List<string> files)
        {
            this.files = files;
            var clash = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (clash != null)
                throw new UinoArgumentException($"Several queries would write '{clash.Key}.mask.png' (same name, different extensions) in '{Path.GetDirectoryName(clash.First())}'.");
            foreach (var f in files) CheckReadable(f);
        }

        public override string Unit => "image(s)";
        public override int? Count => files.Count;

        public override IEnumerable<(string Name, Image<Rgb24> Frame)> Frames() =>
            files.Select(f => (Path.GetFileNameWithoutExtension(f), Image.Load<Rgb24>(f)));

        private static void CheckReadable(string path)
        {
            try
            {
                _ = Image.Identify(path) ?? throw new UinoArgumentException($"The query '{path}' is not a readable image.");
            }
            catch (Exception e) when (e is ImageFormatException or NotSupportedException)
            {
                throw new UinoArgumentException($"The query '{path}' is not a readable image: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// A video decoded by OpenCV's bundled FFmpeg; frame i is named <c>&lt;stem&gt;.&lt;i:D5&gt;</c>. The first frame
    /// is decoded when opened, so an unreadable file fails before any output exists.
    /// </summary>
    private sealed class VideoQuery : QuerySource
    {
        private readonly string path;
        private readonly VideoCapture capture;
        private Mat? first;

        public VideoQuery(string path)
        {
            this.path = path;
            capture = new VideoCapture(path);
            first = new Mat();
            if (!capture.IsOpened() || !capture.Read(first) || first.Empty())
            {
                Dispose();
                throw new UinoArgumentException($"The query '{path}' is not a readable video (no decodable frame).");
            }
            int count = (int)capture.Get(VideoCaptureProperties.FrameCount);
            Count = count > 0 ? count : null;
        }

        public override string Unit => $"frame(s) of {Path.GetFileName(path)}";
        public override int? Count { get; }

        public override IEnumerable<(string Name, Image<Rgb24> Frame)> Frames()
        {
            string stem = Path.GetFileNameWithoutExtension(path);
            using var frame = new Mat();
            for (int i = 0; ; i++)
            {
                var source = i == 0 ? first! : frame;
                if (i > 0 && (!capture.Read(frame) || frame.Empty())) yield break;
                yield return ($"{stem}.{i:D5}", ToImage(source));
            }
        }

        /// <summary>OpenCV's BGR rows (any step) into an RGB image.</summary>
        private static unsafe Image<Rgb24> ToImage(Mat bgr)
        {
            if (bgr.Type() != MatType.CV_8UC3)
                throw new UinoArgumentException($"The video decoder produced {bgr.Type()} frames; expected 8-bit BGR.");
            var image = new Image<Rgb24>(bgr.Width, bgr.Height);
            long step = bgr.Step();
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var src = new ReadOnlySpan<byte>((byte*)bgr.Data + y * step, bgr.Width * 3);
                    var dst = rows.GetRowSpan(y);
                    for (int x = 0; x < dst.Length; x++) dst[x] = new Rgb24(src[3 * x + 2], src[3 * x + 1], src[3 * x]);
                }
            });
            return image;
        }

        public override void Dispose()
        {
            first?.Dispose();
            first = null;
            capture.Dispose();
        }
    }
}

/// <summary>
/// OpenCvSharp's native runtime (libOpenCvSharpExtern, with OpenCV's bundled FFmpeg), which only video queries use.
/// On Linux it links against GTK 3: without Debian's <c>libgtk-3-0</c> it does not load, and OpenCvSharp reports that
/// as a <see cref="TypeInitializationException"/> (after printing its own notes). <see cref="Guard{T}"/> loads the
/// library first, itself, and turns any load failure into one <see cref="UinoArgumentException"/> that says what to
/// install, before anything is written.
/// </summary>
internal static class VideoRuntime
{
    /// <summary>The package whose absence stops the runtime from loading on Debian/Ubuntu.</summary>
    public const string Install = "apt-get install libgtk-3-0";

    /// <summary>Loads the native runtime; a test seam (replace it to simulate a machine without the library).</summary>
    internal static Action Load = LoadNative;

    private static void LoadNative()
    {
        // NativeLibrary resolves the name as OpenCvSharp's DllImport does (the package's runtimes/ folder), and fails
        // with the loader's reason instead of OpenCvSharp's multi-line console message.
        NativeLibrary.Load("OpenCvSharpExtern", typeof(Cv2).Assembly, null);
        Cv2.SetLogLevel(LogLevel.SILENT);   // the CLI's promise: one error line, not OpenCV's log
    }

    /// <summary>Runs <paramref name="open"/> (which opens the video <paramref name="path"/>) after loading the runtime; a load
    /// failure becomes <see cref="Explain"/>'s error.</summary>
    public static T Guard<T>(string path, Func<T> open)
    {
        try
        {
            Load();   // cheap after the first time: the loader keeps the library
            return open();
        }
        catch (Exception e) when (Explain(e, path) is { } clear)
        {
            throw clear;
        }
    }

    /// <summary>
    /// The one-line error for a failure to load the native runtime (<see cref="DllNotFoundException"/>,
    /// <see cref="BadImageFormatException"/>, <see cref="EntryPointNotFoundException"/>, or OpenCvSharp's exception
    /// about one, possibly inside a <see cref="TypeInitializationException"/>); null for any other failure.
    /// </summary>
    internal static UinoArgumentException? Explain(Exception e, string path)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException
                || (x is OpenCvSharpException && x.Message.Contains("Unable to load", StringComparison.OrdinalIgnoreCase)))
            {
                // The loader lists each path it tried; the dependency it could not find is the one that is not the library itself.
                var missing = Regex.Matches(x.Message, @"([\w.+-]+\.so[\w.]*): cannot open shared object file")
                    .Select(m => m.Groups[1].Value)
                    .FirstOrDefault(name => !name.Contains("OpenCvSharpExtern", StringComparison.OrdinalIgnoreCase));
                string why = missing is not null ? $" ({missing} is missing)" : "";
                return new UinoArgumentException(
                    $"The query '{path}' is a video, and video needs OpenCvSharp's native runtime, which could not be loaded{why}: install its system libraries " +
                    $"(Debian/Ubuntu: {Install}), or give an image or a folder of images as --query.", e);
            }
        }
        return null;
    }
}
