using System.IO.Compression;

namespace Uino.Hardening.Fuzz;

/// <summary>
/// Structure-aware edits of a torch.save zip: each structure edit picks one entry (data.pkl, a storage, version) and
/// applies a byte edit to it, or drops it; the archive is then rebuilt with valid CRCs, so the edits reach the
/// restricted unpickler and the storage checks rather than all stopping at the zip's checksum. Byte edits of the
/// rebuilt archive then test the zip layer itself.
/// </summary>
internal static class PthMutator
{
    public static byte[] Mutate(byte[] seed, FuzzCase c)
    {
        List<(string Name, byte[] Data)> entries;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(seed), ZipArchiveMode.Read);
            entries = zip.Entries.Select(e => (e.FullName, Read(e))).ToList();
        }
        catch (InvalidDataException) { return Mutation.ApplyAll(seed, c.Bytes); }
        foreach (var op in c.Structure)
        {
            if (entries.Count == 0) break;
            // data.pkl is where the loader's logic is: give it half of the edits.
            int i = (op.Value & 1) == 0 ? 0 : (int)((uint)op.Position % (uint)entries.Count);
            if ((uint)op.Value % 11 == 5) entries.RemoveAt(i);
            else entries[i] = (entries[i].Name, Mutation.ApplyAll(entries[i].Data, [op]));
        }
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        return Mutation.ApplyAll(output.ToArray(), c.Bytes);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
