using System.Globalization;

namespace Uino.Viewer.Platform;

/// <summary>
/// Scripted input (<c>--script FILE</c>) for tests and demos. One event per line, timed by display frame so a busy
/// machine replays the same session: <c>FRAME EVENT ARGS</c>, with events <c>key NAME</c> (a
/// <see cref="ViewerKey"/>: space, enter, escape, a, b, c, s, x, q, h, leftbracket, rightbracket), <c>move X Y</c>
/// (window pixels), <c>press left|right</c>, <c>release left|right</c>, <c>scroll DY</c>, <c>resize W H</c>,
/// <c>quit</c>. <c>#</c> starts a comment.
/// </summary>
internal sealed class InputScript
{
    private readonly List<(long Frame, InputEvent Event)> events;
    private int next;

    private InputScript(List<(long, InputEvent)> events) => this.events = events;

    public bool Finished => next >= events.Count;

    public static InputScript Load(string path)
    {
        if (!File.Exists(path)) throw new ViewerException($"The script '{path}' does not exist.");
        var list = new List<(long, InputEvent)>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            try { list.Add(Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))); }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
            {
                throw new ViewerException($"{path}:{lineNumber}: cannot read '{line}' ({e.Message}). Expected 'FRAME key NAME', 'FRAME move X Y', " +
                                          "'FRAME press|release left|right', 'FRAME scroll DY', 'FRAME resize W H' or 'FRAME quit'.");
            }
        }
        // Stable: events of the same frame keep their order in the file.
        return new InputScript(list.Select((e, i) => (e, i)).OrderBy(p => p.e.Item1).ThenBy(p => p.i).Select(p => p.e).ToList());
    }

    private static (long, InputEvent) Parse(string[] f)
    {
        long frame = long.Parse(f[0], CultureInfo.InvariantCulture);
        if (frame < 0) throw new FormatException("the frame number is negative");
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        MouseButton B(int i) => Enum.Parse<MouseButton>(f[i], ignoreCase: true);
        InputEvent e = f[1].ToLowerInvariant() switch
        {
            "key" => InputEvent.KeyDown(Enum.Parse<ViewerKey>(f[2], ignoreCase: true)),
            "move" => InputEvent.Move(D(2), D(3)),
            "press" => InputEvent.Down(B(2)),
            "release" => InputEvent.Up(B(2)),
            "scroll" => InputEvent.Scroll(D(2)),
            "resize" => new InputEvent(InputKind.RequestResize, X: D(2), Y: D(3)),
            "quit" => new InputEvent(InputKind.Quit),
            _ => throw new FormatException($"unknown event '{f[1]}'"),
        };
        return (frame, e);
    }

    /// <summary>Appends the events due at display frame <paramref name="frame"/> (and any earlier ones not yet sent).</summary>
    public void Feed(long frame, Queue<InputEvent> sink)
    {
        while (next < events.Count && events[next].Frame <= frame) sink.Enqueue(events[next++].Event);
    }
}
