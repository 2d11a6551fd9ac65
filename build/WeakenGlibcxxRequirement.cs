// Inline MSBuild task (RoslynCodeTaskFactory), compiled by Directory.Build.targets.
//
// Why: libLibTorchSharp.so of TorchSharp 0.107 asks for GLIBCXX_3.4.32 (GCC 13) only for the no-op marker
// symbol std::ios_base_library_init(). Hosts whose libstdc++ stops earlier (Debian 12: 3.4.30) refuse to load
// it. Marking that one version requirement VER_FLG_WEAK in .gnu.version_r lets the dynamic loader accept the
// library; nothing that runs needs the symbol. Only the copies in build/publish outputs are touched, never the
// NuGet cache, and only when the host libstdc++ lacks the version. Running it twice changes nothing.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxRequirement : Task
{
    [Required] public string[] Directories { get; set; } = Array.Empty<string>();
    public string Version { get; set; } = "GLIBCXX_3.4.32";
    public string LibraryName { get; set; } = "libLibTorchSharp.so";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        if (HostProvides(Version))
        {
            Log.LogMessage(MessageImportance.Low, $"Host libstdc++ provides {Version}; {LibraryName} left as shipped.");
            return true;
        }
        foreach (var dir in Directories)
        {
            if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, LibraryName, SearchOption.AllDirectories))
            {
                try
                {
                    var result = Patch(file, Version);
                    Log.LogMessage(MessageImportance.Normal, $"{file}: {result}");
                }
                catch (Exception e)
                {
                    Log.LogError($"Could not weaken {Version} in {file}: {e.Message}");
                    return false;
                }
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool HostProvides(string version)
    {
        var candidates = new[]
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            var bytes = File.ReadAllBytes(path);
            if (IndexOf(bytes, needle) >= 0) return true;
            return false; // the first libstdc++ found is the one the loader uses
        }
        return false;
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <summary>Sets VER_FLG_WEAK on every vernaux entry named <paramref name="version"/>. Returns what it did.</summary>
    internal static string Patch(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        ushort shentsize = BitConverter.ToUInt16(elf, 0x3A);
        ushort shnum = BitConverter.ToUInt16(elf, 0x3C);
        int patched = 0, alreadyWeak = 0;
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int secOff = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            uint link = BitConverter.ToUInt32(elf, sh + 0x28);
            int strSh = checked((int)shoff + (int)link * shentsize);
            int strOff = checked((int)BitConverter.ToUInt64(elf, strSh + 0x18));

            int vn = secOff;
            while (true)
            {
                ushort cnt = BitConverter.ToUInt16(elf, vn + 2);
                uint aux = BitConverter.ToUInt32(elf, vn + 8);
                uint next = BitConverter.ToUInt32(elf, vn + 12);
                int va = vn + (int)aux;
                for (int i = 0; i < cnt; i++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, va + 4);
                    uint name = BitConverter.ToUInt32(elf, va + 8);
                    if (ReadCString(elf, strOff + (int)name) == version)
                    {
                        if ((flags & VerFlgWeak) != 0) alreadyWeak++;
                        else
                        {
                            var nf = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                            elf[va + 4] = nf[0];
                            elf[va + 5] = nf[1];
                            patched++;
                        }
                    }
                    uint vnaNext = BitConverter.ToUInt32(elf, va + 12);
                    if (vnaNext == 0) break;
                    va += (int)vnaNext;
                }
                if (next == 0) break;
                vn += (int)next;
            }
        }
        if (patched == 0)
            return alreadyWeak > 0 ? $"{version} already weak" : $"no {version} requirement";
        // Write beside and rename: never modify a file in place that might be hard-linked elsewhere.
        var tmp = path + ".uino-tmp";
        File.WriteAllBytes(tmp, elf);
        File.Replace(tmp, path, null); // rename(2): atomic, breaks hard links
        return $"{version} marked weak ({patched} entr{(patched == 1 ? "y" : "ies")})";
    }

    private static string ReadCString(byte[] b, int offset)
    {
        int end = offset;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, offset, end - offset);
    }
}
