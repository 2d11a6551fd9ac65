using System.Globalization;

namespace Uino.Hardening.Child;

/// <summary>One reading of this process's resources from /proc: resident memory, open descriptors, threads.</summary>
public sealed record ProcessSample(double Seconds, long Frames, double RssMb, int Fds, int Threads, long LiveTensors, double ManagedMb)
{
    public static string CsvHeader => "seconds,frames,rss_mb,fds,threads,live_tensors,managed_mb";

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds:F0},{Frames},{RssMb:F1},{Fds},{Threads},{LiveTensors},{ManagedMb:F1}");

    public static ProcessSample Take(double seconds, long frames)
    {
        long rssKb = 0;
        int threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rssKb = long.Parse(Field(line), CultureInfo.InvariantCulture);
            else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = int.Parse(Field(line), CultureInfo.InvariantCulture);
        }
        int fds = Directory.GetFiles("/proc/self/fd").Length;
        return new ProcessSample(seconds, frames, rssKb / 1024.0, fds, threads, TorchSharp.torch.Tensor.TotalCount,
                                 GC.GetTotalMemory(false) / 1048576.0);
    }

    private static string Field(string line) => line[(line.IndexOf(':') + 1)..].Trim().Split(' ')[0];
}
