namespace Uino.Viewer.Platform;

/// <summary>The keys the viewer reacts to, in the platform's neutral names (a script names them the same way).</summary>
internal enum ViewerKey
{
    None, Space, Enter, Escape, A, B, C, Q, S, X, LeftBracket, RightBracket, H,
}

internal enum MouseButton { Left, Right }

/// <summary><c>Resize</c>: the window system changed the size; <c>RequestResize</c>: a script asks for one.</summary>
internal enum InputKind { KeyDown, MouseMove, ButtonDown, ButtonUp, Scroll, Resize, RequestResize, Quit }

/// <summary>
/// One user input, from the window or from an <c>--script</c> file. Positions are in framebuffer pixels (the
/// units the renderer draws in), so scripted and real events take the same path.
/// </summary>
internal readonly record struct InputEvent(InputKind Kind, ViewerKey Key = ViewerKey.None, MouseButton Button = MouseButton.Left,
                                           double X = 0, double Y = 0)
{
    public static InputEvent KeyDown(ViewerKey key) => new(InputKind.KeyDown, Key: key);
    public static InputEvent Move(double x, double y) => new(InputKind.MouseMove, X: x, Y: y);
    public static InputEvent Down(MouseButton b) => new(InputKind.ButtonDown, Button: b);
    public static InputEvent Up(MouseButton b) => new(InputKind.ButtonUp, Button: b);
    public static InputEvent Scroll(double dy) => new(InputKind.Scroll, Y: dy);
    public static InputEvent Resize(int w, int h) => new(InputKind.Resize, X: w, Y: h);
}
