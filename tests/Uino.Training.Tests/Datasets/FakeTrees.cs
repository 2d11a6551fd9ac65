using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Uino.Training.Tests.Datasets;


internal static class FakeImages
{
    public static void Jpeg(string path, int w, int h, byte shade = 90)
    {
        using var img = new Image<Rgb24>(w, h, new Rgb24(shade, (byte)(255 - shade), 40));
        img.SaveAsJpeg(path);
    }

    /// <summary>8-bit greyscale PNG holding the raw values.</summary>
    public static void GreyPng(string path, int w, int h, byte[] values)
    {
        using var img = new Image<L8>(w, h);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++) img[x, y] = new L8(values[y * w + x]);
        img.SaveAsPng(path);
    }

    /// <summary>
    /// A palette PNG written by hand (VOC's colour map for 0, 1, 6 and 255), so the stored index and the colour's
    /// luminance differ: a reader that goes through colours would get the class wrong.
    /// </summary>
    public static void PalettePng(string path, int w, int h, byte[] indices)
    {
        var palette = new byte[256 * 3];
        palette[1 * 3] = 128;                          // 1: aeroplane (128,0,0)
        palette[6 * 3] = 0; palette[6 * 3 + 1] = 128; palette[6 * 3 + 2] = 128; // 6: bus (0,128,128)
        palette[255 * 3] = 224; palette[255 * 3 + 1] = 224; palette[255 * 3 + 2] = 192;
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; ihdr[9] = 3;
        var raw = new MemoryStream();
        for (var y = 0; y < h; y++)
        {
            raw.WriteByte(y % 2 == 0 ? (byte)0 : (byte)2); // filters None and Up
            for (var x = 0; x < w; x++)
            {
                var v = indices[y * w + x];
                if (y % 2 == 1) v = (byte)(v - indices[(y - 1) * w + x]);
                raw.WriteByte(v);
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw.ToArray());
        using var f = File.Create(path);
        f.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        Chunk(f, "IHDR", ihdr);
        Chunk(f, "PLTE", palette);
        Chunk(f, "IDAT", z.ToArray());
        Chunk(f, "IEND", []);
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(data);
        var crc = Crc32([.. head.AsSpan(4, 4), .. data]);
        var c = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(c, crc);
        s.Write(c);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A w×h mask of 0 with the first <paramref name="count"/> pixels (row-major) set to <paramref name="value"/>, from <paramref name="start"/>.</summary>
    public static byte[] Fill(byte[] mask, byte value, int start, int count)
    {
        for (var i = start; i < start + count; i++) mask[i] = value;
        return mask;
    }
}
