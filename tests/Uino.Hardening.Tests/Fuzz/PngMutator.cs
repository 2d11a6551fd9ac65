using System.Buffers.Binary;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Structure-aware edits of images: for PNG, structure edits set the width or height declared in IHDR to boundary
/// values (decompression bombs, zero, negative) and every chunk CRC is recomputed afterwards, so the decoder acts
/// on the edits instead of rejecting a checksum; other formats get byte edits only.
/// </summary>
internal static class PngMutator
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    public static byte[] Mutate(byte[] seed, FuzzCase c)
    {
        var data = Mutation.ApplyAll(seed, c.Bytes);
        if (!seed.AsSpan().StartsWith(Signature) || c.Structure.Length == 0) return data;
        foreach (var op in c.Structure)
            if (data.Length >= 24)
                BinaryPrimitives.WriteInt32BigEndian(data.AsSpan((op.Value & 1) == 0 ? 16 : 20), (int)Mutation.InterestingValue(op.Value >> 1));
        FixCrcs(data);
        return data;
    }

    /// <summary>Recomputes the CRC of every complete chunk (length, type, data, CRC) after the signature.</summary>
    public static void FixCrcs(byte[] png)
    {
        int at = Signature.Length;
        while (at + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > png.Length - at - 12) break;
            uint crc = Crc32(png.AsSpan(at + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + (int)length), crc);
            at += 12 + (int)length;
        }
    }

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in bytes) c = Table[(c ^ b) & 0xff] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
