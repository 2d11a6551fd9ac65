using System.Buffers.Binary;
using System.IO.Compression;

namespace Uino.Training.Data.Pascal;

/// <summary>
/// Reads the raw sample values of a single-channel PNG (greyscale or palette, bit depth 1..8, or 16-bit greyscale:
/// high byte), i.e. the class index of each pixel. Decoding through a colour pipeline would turn palette indices
/// (VOC's SegmentationClass PNGs) into luminance; this keeps the stored index, as PIL's <c>np.array(Image.open(p))</c>.
/// </summary>
internal static class IndexedPng
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Decodes <paramref name="path"/> into row-major bytes, one per pixel.</summary>
    public static (int Width, int Height, byte[] Values) Read(string path)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DatasetException($"cannot read mask '{path}': {e.Message}", e); }
        try { return Decode(file); }
        catch (DatasetException e) { throw new DatasetException($"mask '{path}': {e.Message}", e); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        { throw new DatasetException($"mask '{path}' is not a valid PNG: {e.Message}", e); }
    }

    public static (int Width, int Height, byte[] Values) Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8 || !file[..8].SequenceEqual(Signature)) throw new DatasetException("not a PNG file");
        int pos = 8, width = 0, height = 0, depth = 0, colorType = -1, interlace = 0;
        using var idat = new MemoryStream();
        while (pos + 8 <= file.Length)
        {
            var len = (int)BinaryPrimitives.ReadUInt32BigEndian(file[pos..]);
            var type = System.Text.Encoding.ASCII.GetString(file.Slice(pos + 4, 4));
            if (len < 0 || pos + 12 + len > file.Length) throw new DatasetException("truncated PNG chunk " + type);
            var data = file.Slice(pos + 8, len);
            if (type == "IHDR")
            {
                width = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
                height = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                depth = data[8]; colorType = data[9]; interlace = data[12];
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + len;
        }
        if (colorType < 0 || width <= 0 || height <= 0) throw new DatasetException("PNG has no valid IHDR");
        if (colorType != 0 && colorType != 3)
            throw new DatasetException($"expected a single-channel class-index PNG (greyscale or palette), found colour type {colorType}");
        if (interlace != 0) throw new DatasetException("interlaced label PNGs are not supported");
        if (depth is not (1 or 2 or 4 or 8 or 16) || (depth == 16 && colorType == 3))
            throw new DatasetException($"unsupported bit depth {depth}");

        var stride = (width * depth + 7) / 8;
        var bpp = Math.Max(1, depth / 8);
        var raw = new byte[(stride + 1) * height];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            var read = 0;
            while (read < raw.Length)
            {
                var r = z.Read(raw, read, raw.Length - read);
                if (r == 0) throw new DatasetException("PNG image data is truncated");
                read += r;
            }
        }

        var values = new byte[width * height];
        var prev = new byte[stride];
        var cur = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var off = y * (stride + 1);
            var filter = raw[off];
            Array.Copy(raw, off + 1, cur, 0, stride);
            Unfilter(filter, cur, prev, bpp);
            var row = values.AsSpan(y * width, width);
            switch (depth)
            {
                case 8: cur.AsSpan(0, width).CopyTo(row); break;
                case 16: for (var x = 0; x < width; x++) row[x] = cur[2 * x]; break;
                default:
                    var perByte = 8 / depth;
                    var mask = (1 << depth) - 1;
                    for (var x = 0; x < width; x++)
                        row[x] = (byte)((cur[x / perByte] >> (8 - depth * (x % perByte + 1))) & mask);
                    break;
            }
            (prev, cur) = (cur, prev);
        }
        return (width, height, values);
    }

    private static void Unfilter(byte filter, byte[] cur, byte[] prev, int bpp)
    {
        switch (filter)
        {
            case 0: return;
            case 1: for (var i = bpp; i < cur.Length; i++) cur[i] += cur[i - bpp]; return;
            case 2: for (var i = 0; i < cur.Length; i++) cur[i] += prev[i]; return;
            case 3:
                for (var i = 0; i < cur.Length; i++)
                    cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
                return;
            case 4:
                for (var i = 0; i < cur.Length; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    cur[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                return;
            default: throw new DatasetException($"invalid PNG filter type {filter}");
        }
    }
}
