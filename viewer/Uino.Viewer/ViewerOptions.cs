namespace Uino.Viewer;

/// <summary>Everything the command line sets (see <see cref="ViewerCommand"/> for the meaning of each).</summary>
internal sealed record ViewerOptions
{
    public int? Camera { get; init; }
    public string? Source { get; init; }
    public bool Loop { get; init; }
    /// <summary>How long to keep reopening a camera that stopped delivering frames (zero: end at once).</summary>
    public TimeSpan Reconnect { get; init; } = TimeSpan.FromSeconds(30);
    public double? Fps { get; init; }
    public IReadOnlyList<(string Image, string Mask)> References { get; init; } = [];
    public string? ModelPath { get; init; }
    public string? Dinov2 { get; init; }
    public int? InputSize { get; init; }
    public int Threads { get; init; }
    public (int Width, int Height)? WindowSize { get; init; }
    public long? Frames { get; init; }
    public double? Seconds { get; init; }
    public string? Screenshot { get; init; }
    public string? Record { get; init; }
    public string? Script { get; init; }
    public string? Stats { get; init; }
    public string SaveDir { get; init; } = ".";
    /// <summary>With a screenshot and a reference, how long past <see cref="Frames"/> to wait for the first mask.</summary>
    public double MaskWaitSeconds { get; init; } = 120;
}
