using Silk.NET.Vulkan;

namespace Uino.Viewer.Platform;

/// <summary>
/// What the viewer needs from a window system: a Vulkan surface, its size, and input events. The GLFW
/// implementation (<see cref="GlfwWindow"/>) is the only one today; a Silk.NET.Windowing one could replace it.
/// </summary>
internal interface IViewerWindow : IDisposable
{
    /// <summary>The instance extensions the surface needs (VK_KHR_surface plus the platform's own).</summary>
    IReadOnlyList<string> RequiredInstanceExtensions { get; }

    /// <summary>Creates the presentation surface for <paramref name="instance"/>.</summary>
    SurfaceKHR CreateSurface(Instance instance);

    /// <summary>Drawable size in pixels (0×0 while minimised).</summary>
    (int Width, int Height) FramebufferSize { get; }

    /// <summary>The user asked to close the window.</summary>
    bool CloseRequested { get; }

    /// <summary>Processes pending window-system events and appends the resulting inputs to <paramref name="sink"/>.</summary>
    void PollEvents(Queue<InputEvent> sink);

    /// <summary>Asks the window system for a new client size (scripts use it to exercise swapchain recreation).</summary>
    void RequestSize(int width, int height);

    void SetTitle(string title);
}
