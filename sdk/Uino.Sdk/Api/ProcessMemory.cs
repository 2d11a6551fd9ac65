namespace Uino.Api;

/// <summary>Resident memory of this process from <c>/proc/self/status</c> (Linux); null where it is not available.</summary>
internal static class ProcessMemory
{
    /// <summary>Current resident set size (VmRSS) in bytes.</summary>
    public static long? ResidentBytes() => Read("VmRSS:");

    /// <summary>Peak resident set size (VmHWM) in bytes, since start or the last <see cref="ResetPeak"/>.</summary>
    public static long? PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs); false where not supported.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException) { return false; }
    }

    private static long? Read(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;   // "kB"
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
