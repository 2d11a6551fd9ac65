using System.Buffers.Binary;
using System.IO.Compression;

namespace Uino.Api;

/// <summary>
/// Guards ImageSharp 2.1's PNG decoder against a hang found by fuzzing: an interlaced (Adam7) PNG whose image data
/// is shorter than its header's size implies (e.g. a 24×16 image relabelled 1000×8) never returns from
/// <c>Image.Load</c>, and cancellation does not stop it. Before such a file is decoded, its IDAT stream is inflated
/// once (at most the declared size, so a deflate bomb cannot expand further) and a short stream is refused.
/// Non-interlaced PNGs fail cleanly in the decoder and are not checked.
/// </summary>
internal static class InterlacedPngCheck
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Adam7 passes: first column, first row, column step, row step.</summary>
    private static readonly (int X, int Y, int Dx, int Dy)[] Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>
    /// Null when <paramref name="stream"/> is not an interlaced PNG or holds all its image data; otherwise what is
    /// wrong. Reads from the current position; the caller rewinds.
    /// </summary>
    public static string? Problem(Stream stream)
    {
        Span<byte> head = stackalloc byte[8];
        if (stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8 || !head.SequenceEqual(Signature)) return null;
        long expected = -1;
        var idat = new MemoryStream();
        Span<byte> chunk = stackalloc byte[8];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            string type = System.Text.Encoding.ASCII.GetString(chunk[4..]);
            if (length > stream.Length - stream.Position) break;          // truncated: the decoder reports it
            var data = new byte[length];
            stream.ReadExactly(data);
            stream.Seek(4, SeekOrigin.Current);                             // CRC: the decoder checks it
            if (type == "IHDR")
            {
                expected = length >= 13 && data[12] == 1 ? InterlacedBytes(data) : -1;
                if (expected < 0) return null;                              // not interlaced, or a header the decoder refuses
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
        }
        if (expected < 0) return null;
        idat.Position = 0;
        long inflated = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            int n;
            while (inflated < expected && (n = z.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - inflated))) > 0) inflated += n;
        }
        catch (InvalidDataException e) { return $"its compressed image data is corrupt ({e.Message})"; }
        return inflated < expected
            ? $"it is an interlaced PNG whose image data holds {inflated} of the {expected} bytes its header declares (truncated or relabelled)"
            : null;
    }

    /// <summary>The filtered Adam7 byte count of an IHDR, or −1 for a colour type / bit depth the decoder will refuse.</summary>
    private static long InterlacedBytes(ReadOnlySpan<byte> ihdr)
    {
        long width = BinaryPrimitives.ReadUInt32BigEndian(ihdr), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        int bitDepth = ihdr[8];
        int channels = ihdr[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16)) return -1;
        // Past the pixel limit the file is refused before decoding anyway; this also keeps the sum below from overflowing.
        if (width > int.MaxValue || height > int.MaxValue || width * height > UinoLimits.MaxImagePixels) return -1;
        long bitsPerPixel = channels * bitDepth, total = 0;
        foreach (var (x, y, dx, dy) in Passes)
        {
            long columns = width > x ? (width - x + dx - 1) / dx : 0, rows = height > y ? (height - y + dy - 1) / dy : 0;
            if (columns > 0 && rows > 0) total += rows * (1 + (columns * bitsPerPixel + 7) / 8);
        }
        return total;
    }
}
