using System.Globalization;

namespace Uino.Viewer.Hud;

/// <summary>What the HUD shows, gathered by the viewer each time it refreshes the panel.</summary>
internal sealed record HudState(
    double DisplayFps, double InferenceFps, double LatencyMs, int References, string Model, string InferenceDevice,
    string RenderDevice, string Source, bool SourceEnded, string Mode, string? Status, bool Capturing, bool ShowHelp)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>(6)
        {
            string.Format(Inv, "display {0:F1} fps  |  inference {1:F1} fps, {2:F0} ms  |  K = {3}", DisplayFps, InferenceFps, LatencyMs, References),
        };
        if (!ShowHelp) return lines;
        lines.Add($"model {Model} on {InferenceDevice}  |  render {RenderDevice}");
        lines.Add($"source {Source}{(SourceEnded ? " (ended)" : "")}");
        lines.Add(Status is null ? $"mode {Mode}" : $"mode {Mode}  |  {Status}");
        if (Capturing)
        {
            lines.Add("left paint, right erase  B box/brush  [ ] size  C wipe");
            lines.Add("Enter set reference  A add shot  S save  Esc cancel");
        }
        else lines.Add(References == 0 ? "Space freeze and paint the object  |  H help  Q quit"
                                       : "Space capture  X clear references  S save shot  H help  Q quit");
        return lines;
    }
}
