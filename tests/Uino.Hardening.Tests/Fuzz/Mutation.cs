using System.Buffers.Binary;

namespace Uino.Hardening.Fuzz;

/// <summary>The byte-level edits the fuzzer applies to a seed (AFL's classic set, plus lies about sizes).</summary>
internal enum MutationKind
{
    FlipBit,
    SetByte,
    /// <summary>Overwrites 4 bytes with a boundary value (0, −1, 2³¹−1, 2³¹, …), little- or big-endian: sizes, dims, lengths.</summary>
    Interesting32,
    /// <summary>Overwrites 8 bytes with a boundary value: safetensors' header length, 64-bit offsets.</summary>
    Interesting64,
    Truncate,
    InsertBytes,
    DeleteRange,
    DuplicateRange,
    ZeroRange,
}

/// <summary>One edit; <see cref="Position"/> and <see cref="Value"/> are reduced modulo what they index.</summary>
internal readonly record struct Mutation(MutationKind Kind, int Position, int Value)
{
    private static readonly long[] Interesting =
    [
        0, 1, -1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, int.MaxValue, int.MinValue,
        uint.MaxValue, 1L << 32, 1L << 40, 100_000, 1_000_000_000, long.MaxValue, long.MinValue, 65535L * 65535,
    ];

    public override string ToString() => $"{Kind}@{Position}:{Value}";

    /// <summary>Applies <paramref name="ops"/> in order to a copy of <paramref name="seed"/>.</summary>
    public static byte[] ApplyAll(byte[] seed, IEnumerable<Mutation> ops)
    {
        var data = new List<byte>(seed);
        foreach (var op in ops) op.Apply(data);
        return data.ToArray();
    }

    private void Apply(List<byte> data)
    {
        int n = data.Count;
        int at = n == 0 ? 0 : (int)((uint)Position % (uint)n);
        int span = 1 + (int)((uint)Value % 64);
        switch (Kind)
        {
            case MutationKind.FlipBit when n > 0: data[at] ^= (byte)(1 << (Value & 7)); break;
            case MutationKind.SetByte when n > 0: data[at] = (byte)Value; break;
            case MutationKind.Interesting32 when n >= 4: Write(data, Math.Min(at, n - 4), 4); break;
            case MutationKind.Interesting64 when n >= 8: Write(data, Math.Min(at, n - 8), 8); break;
            case MutationKind.Truncate: data.RemoveRange(at, n - at); break;
            case MutationKind.InsertBytes:
                int value = Value;
                data.InsertRange(at, Enumerable.Range(0, span).Select(i => (byte)(value >> (i % 4 * 8))));
                break;
            case MutationKind.DeleteRange: data.RemoveRange(at, Math.Min(span, n - at)); break;
            case MutationKind.DuplicateRange: data.InsertRange(at, data.GetRange(at, Math.Min(span, n - at))); break;
            case MutationKind.ZeroRange: for (int i = at; i < Math.Min(n, at + span); i++) data[i] = 0; break;
        }
    }

    private void Write(List<byte> data, int at, int width)
    {
        long v = Interesting[(uint)Value % (uint)Interesting.Length];
        Span<byte> bytes = stackalloc byte[8];
        bool bigEndian = (Value & 0x40000000) != 0;
        if (width == 4)
        {
            if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(bytes, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)v);
        }
        else if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(bytes, v);
        else BinaryPrimitives.WriteInt64LittleEndian(bytes, v);
        for (int i = 0; i < width; i++) data[at + i] = bytes[i];
    }

    /// <summary>A boundary value for structure-aware mutators (header numbers, pickle ints).</summary>
    public static long InterestingValue(int index) => Interesting[(uint)index % (uint)Interesting.Length];
}
