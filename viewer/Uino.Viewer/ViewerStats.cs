using System.Text.Json;

namespace Uino.Viewer;

/// <summary>What <c>--stats</c> writes at exit: measured rates, the window layout (tests locate the frame and the HUD with it) and memory.</summary>
internal sealed record ViewerStats
{
    public double Seconds { get; init; }
    public long FramesShown { get; init; }
    public double DisplayFps { get; init; }
    public long FramesCaptured { get; init; }
    public long Inferences { get; init; }
    public double InferenceFps { get; init; }
    public double LatencyMedianMs { get; init; }
    public int References { get; init; }
    public bool MaskShown { get; init; }
    public int WindowWidth { get; init; }
    public int WindowHeight { get; init; }
    public double[] FrameRect { get; init; } = [];
    public double[] HudRect { get; init; } = [];
    public int SwapchainCreations { get; init; }
    public int FramePoolSize { get; init; }
    public int MaskPoolSize { get; init; }
    public double ResidentMb { get; init; }
    public double ManagedHeapMb { get; init; }
    public string RenderDevice { get; init; } = "";
    /// <summary>The last status line of the HUD (a refused reference says why here).</summary>
    public string? Status { get; init; }
    public string? Screenshot { get; init; }
    public long FramesRecorded { get; init; }
    public string[] Saved { get; init; } = [];

    public void Write(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
    }
}
