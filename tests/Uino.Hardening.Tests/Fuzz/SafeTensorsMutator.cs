using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Structure-aware edits of a safetensors file: numbers of the JSON header (shapes, data offsets, and the numbers
/// inside a Uino model's embedded configuration) replaced by boundary values, dtypes swapped, a duplicate key, and
/// a header length that lies. The length prefix is otherwise recomputed, so the edits reach the parser's checks
/// instead of all failing at the first one.
/// </summary>
internal static partial class SafeTensorsMutator
{
    private static readonly string[] DTypes = ["F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "F8_E4M3", "", "f32"];

    public static byte[] Mutate(byte[] seed, FuzzCase c)
    {
        if (seed.Length < 8) return Mutation.ApplyAll(seed, c.Bytes);
        long length = BinaryPrimitives.ReadInt64LittleEndian(seed);
        if (length < 0 || length > seed.Length - 8) return Mutation.ApplyAll(seed, c.Bytes);
        string header = Encoding.UTF8.GetString(seed, 8, (int)length);
        var data = seed.AsSpan(8 + (int)length).ToArray();
        long? lie = null;
        foreach (var op in c.Structure)
        {
            switch ((uint)op.Value % 4)
            {
                case 0: header = ReplaceNth(Number(), header, op.Position, Mutation.InterestingValue(op.Value >> 2).ToString(CultureInfo.InvariantCulture)); break;
                case 1: header = ReplaceNth(DType(), header, op.Position, $"\"dtype\":\"{DTypes[(uint)(op.Value >> 2) % DTypes.Length]}\""); break;
                case 2: header = DuplicateFirstKey(header); break;
                case 3: lie = (op.Value & 4) != 0 ? Mutation.InterestingValue(op.Value >> 3) : Encoding.UTF8.GetByteCount(header) + (op.Value >> 3) % 17 - 8; break;
            }
        }
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(file, lie ?? headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        data.CopyTo(file, 8 + headerBytes.Length);
        return Mutation.ApplyAll(file, c.Bytes);
    }

    private static string ReplaceNth(Regex regex, string text, int n, string replacement)
    {
        var matches = regex.Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[(int)((uint)n % (uint)matches.Count)];
        return string.Concat(text.AsSpan(0, m.Index), replacement, text.AsSpan(m.Index + m.Length));
    }

    /// <summary>Repeats the first entry: JSON allows it, a loader that keeps the last one would silently drop a tensor.</summary>
    private static string DuplicateFirstKey(string header)
    {
        var m = FirstEntry().Match(header);
        return m.Success ? header.Insert(1, m.Value + ",") : header;
    }

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex Number();

    [GeneratedRegex("\"dtype\"\\s*:\\s*\"[^\"]*\"")]
    private static partial Regex DType();

    [GeneratedRegex("(?<=^\\{)\"[^\"]+\":\\{[^{}]*\\}")]
    private static partial Regex FirstEntry();
}
