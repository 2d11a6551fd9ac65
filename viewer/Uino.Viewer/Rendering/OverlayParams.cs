using System.Numerics;
using System.Runtime.InteropServices;

namespace Uino.Viewer.Rendering;

/// <summary>
/// The fragment shader's push constants (<c>Shaders/overlay.frag</c>, same order): everything that changes per
/// frame besides the textures. Positions are window pixels. 112 bytes, under the 128 every device allows.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OverlayParams
{
    public Vector4 FrameRect;
    public Vector4 HudRect;
    public Vector4 Tint;
    public Vector4 Outline;
    public Vector4 Cursor;
    public Vector4 Box;
    public Vector4 Flags;

    public static OverlayParams Empty => new() { Box = new Vector4(0, 0, -1, -1) };
}
