using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Silk.NET.Vulkan;

namespace Uino.Viewer.Platform;

/// <summary>
/// The window/platform layer: a GLFW 3.3 window (Debian's <c>libglfw3</c>, bound by P/Invoke because
/// Silk.NET.Windowing/GLFW are not available to this build) with no client API, its Vulkan surface, and its input
/// turned into <see cref="InputEvent"/>s. Everything GLFW-specific lives in this file.
/// </summary>
internal sealed unsafe class GlfwWindow : IViewerWindow
{
    // The only window of the process: GLFW's C callbacks are static and find it here.
    private static GlfwWindow? current;
    private static string? lastError;

    private nint handle;
    private Queue<InputEvent>? sink;
    private double cursorScaleX = 1, cursorScaleY = 1;

    private GlfwWindow(nint handle) => this.handle = handle;

    /// <summary>Opens a resizable window of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    /// <exception cref="ViewerException">No libglfw3, no display, or no Vulkan loader.</exception>
    public static GlfwWindow Open(int width, int height, string title)
    {
        if (current is not null) throw new InvalidOperationException("Only one viewer window per process.");
        try
        {
            Native.RegisterResolver();
            Native.glfwSetErrorCallback(&OnError);
            if (Native.glfwInit() == 0)
                throw new ViewerException($"No display: the window system could not be opened ({lastError ?? "unknown GLFW error"}). " +
                                          "Set DISPLAY to a running X server (for headless use: Xvfb :99 & DISPLAY=:99).");
        }
        catch (DllNotFoundException e)
        {
            throw new ViewerException("libglfw3 is not installed: the viewer needs GLFW 3.3 (Debian: apt-get install libglfw3).", e);
        }
        if (Native.glfwVulkanSupported() == 0)
        {
            Native.glfwTerminate();
            throw new ViewerException($"No Vulkan: the Vulkan loader was not found ({lastError ?? "libvulkan.so.1 missing"}). " +
                                      "Install libvulkan1 and a driver (software: mesa-vulkan-drivers).");
        }
        Native.glfwWindowHint(Native.ClientApi, Native.NoApi);
        Native.glfwWindowHint(Native.Resizable, 1);
        var titleBytes = Encoding.UTF8.GetBytes(title + "\0");
        nint window;
        fixed (byte* t = titleBytes) window = Native.glfwCreateWindow(width, height, t, 0, 0);
        if (window == 0)
        {
            Native.glfwTerminate();
            throw new ViewerException($"The window could not be created ({lastError ?? "unknown GLFW error"}).");
        }
        var w = new GlfwWindow(window);
        current = w;
        Native.glfwSetKeyCallback(window, &OnKey);
        Native.glfwSetMouseButtonCallback(window, &OnButton);
        Native.glfwSetCursorPosCallback(window, &OnCursor);
        Native.glfwSetScrollCallback(window, &OnScroll);
        Native.glfwSetFramebufferSizeCallback(window, &OnFramebufferSize);
        return w;
    }

    public IReadOnlyList<string> RequiredInstanceExtensions
    {
        get
        {
            uint count;
            byte** names = Native.glfwGetRequiredInstanceExtensions(&count);
            if (names == null)
                throw new ViewerException("No Vulkan driver can present to this window system (is a driver installed? software: " +
                                          $"apt-get install mesa-vulkan-drivers; {lastError ?? "GLFW found no surface extensions"}).");
            var list = new List<string>((int)count);
            for (int i = 0; i < count; i++) list.Add(Marshal.PtrToStringUTF8((nint)names[i])!);
            return list;
        }
    }

    public SurfaceKHR CreateSurface(Instance instance)
    {
        ulong surface;
        int result = Native.glfwCreateWindowSurface(instance.Handle, handle, null, &surface);
        if (result != 0)
            throw new ViewerException($"The window's Vulkan surface could not be created (VkResult {result}; {lastError ?? "no GLFW message"}).");
        return new SurfaceKHR(surface);
    }

    public (int Width, int Height) FramebufferSize
    {
        get
        {
            int w, h;
            Native.glfwGetFramebufferSize(handle, &w, &h);
            return (w, h);
        }
    }

    public bool CloseRequested => Native.glfwWindowShouldClose(handle) != 0;

    public void PollEvents(Queue<InputEvent> sink)
    {
        // Cursor positions arrive in screen coordinates; the renderer works in framebuffer pixels (HiDPI differs).
        int ww, wh, fw, fh;
        Native.glfwGetWindowSize(handle, &ww, &wh);
        Native.glfwGetFramebufferSize(handle, &fw, &fh);
        cursorScaleX = ww > 0 ? (double)fw / ww : 1;
        cursorScaleY = wh > 0 ? (double)fh / wh : 1;
        this.sink = sink;
        try { Native.glfwPollEvents(); }
        finally { this.sink = null; }
    }

    public void RequestSize(int width, int height) => Native.glfwSetWindowSize(handle, width, height);

    public void SetTitle(string title)
    {
        var bytes = Encoding.UTF8.GetBytes(title + "\0");
        fixed (byte* t = bytes) Native.glfwSetWindowTitle(handle, t);
    }

    public void Dispose()
    {
        if (handle == 0) return;
        Native.glfwDestroyWindow(handle);
        handle = 0;
        current = null;
        Native.glfwTerminate();
    }

    // ------------------------------------------------------------------ callbacks (called inside glfwPollEvents)

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(int code, byte* description) =>
        lastError = $"GLFW error 0x{code:X}: {Marshal.PtrToStringUTF8((nint)description)}";

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnKey(nint window, int key, int scancode, int action, int mods)
    {
        if (action == Native.Release || current?.sink is not { } s) return;
        var k = MapKey(key);
        // Auto-repeat is wanted for the brush-size keys only; a held Enter must not add the same shot twice.
        if (k == ViewerKey.None || (action == Native.Repeat && k is not (ViewerKey.LeftBracket or ViewerKey.RightBracket))) return;
        s.Enqueue(InputEvent.KeyDown(k));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnButton(nint window, int button, int action, int mods)
    {
        if (current?.sink is not { } s || button > 1) return;
        var b = button == 0 ? MouseButton.Left : MouseButton.Right;
        s.Enqueue(action == Native.Press ? InputEvent.Down(b) : InputEvent.Up(b));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnCursor(nint window, double x, double y)
    {
        if (current is { sink: { } s } w) s.Enqueue(InputEvent.Move(x * w.cursorScaleX, y * w.cursorScaleY));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnScroll(nint window, double dx, double dy) => current?.sink?.Enqueue(InputEvent.Scroll(dy));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnFramebufferSize(nint window, int w, int h) => current?.sink?.Enqueue(InputEvent.Resize(w, h));

    private static ViewerKey MapKey(int key) => key switch
    {
        32 => ViewerKey.Space,
        257 or 335 => ViewerKey.Enter,          // Enter, keypad Enter
        256 => ViewerKey.Escape,
        65 => ViewerKey.A, 66 => ViewerKey.B, 67 => ViewerKey.C, 72 => ViewerKey.H, 81 => ViewerKey.Q,
        83 => ViewerKey.S, 88 => ViewerKey.X,
        91 => ViewerKey.LeftBracket, 93 => ViewerKey.RightBracket,
        _ => ViewerKey.None,
    };

    /// <summary>The GLFW 3.3 functions the viewer uses.</summary>
    private static class Native
    {
        private const string Lib = "glfw";
        public const int ClientApi = 0x00022001, NoApi = 0, Resizable = 0x00020003;
        public const int Release = 0, Press = 1, Repeat = 2;

        private static bool resolverSet;

        /// <summary>Must run before the first GLFW call (one resolver per assembly, so it is set here only).</summary>
        public static void RegisterResolver()
        {
            if (resolverSet) return;
            NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);
            resolverSet = true;
        }

        // Debian ships the runtime as libglfw.so.3 only (the unversioned name comes with -dev).
        private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            if (name != Lib) return 0;
            foreach (var candidate in new[] { "libglfw.so.3", "libglfw.so", "glfw3", "libglfw.3.dylib" })
                if (NativeLibrary.TryLoad(candidate, assembly, path, out var h)) return h;
            return 0;
        }

        [DllImport(Lib)] public static extern int glfwInit();
        [DllImport(Lib)] public static extern void glfwTerminate();
        [DllImport(Lib)] public static extern nint glfwSetErrorCallback(delegate* unmanaged[Cdecl]<int, byte*, void> cb);
        [DllImport(Lib)] public static extern int glfwVulkanSupported();
        [DllImport(Lib)] public static extern byte** glfwGetRequiredInstanceExtensions(uint* count);
        [DllImport(Lib)] public static extern void glfwWindowHint(int hint, int value);
        [DllImport(Lib)] public static extern nint glfwCreateWindow(int width, int height, byte* title, nint monitor, nint share);
        [DllImport(Lib)] public static extern void glfwDestroyWindow(nint window);
        [DllImport(Lib)] public static extern int glfwWindowShouldClose(nint window);
        [DllImport(Lib)] public static extern void glfwPollEvents();
        [DllImport(Lib)] public static extern void glfwGetFramebufferSize(nint window, int* width, int* height);
        [DllImport(Lib)] public static extern void glfwGetWindowSize(nint window, int* width, int* height);
        [DllImport(Lib)] public static extern void glfwSetWindowSize(nint window, int width, int height);
        [DllImport(Lib)] public static extern void glfwSetWindowTitle(nint window, byte* title);
        [DllImport(Lib)] public static extern int glfwCreateWindowSurface(nint instance, nint window, void* allocator, ulong* surface);
        [DllImport(Lib)] public static extern nint glfwSetKeyCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, int, int, int, void> cb);
        [DllImport(Lib)] public static extern nint glfwSetMouseButtonCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, int, int, void> cb);
        [DllImport(Lib)] public static extern nint glfwSetCursorPosCallback(nint window, delegate* unmanaged[Cdecl]<nint, double, double, void> cb);
        [DllImport(Lib)] public static extern nint glfwSetScrollCallback(nint window, delegate* unmanaged[Cdecl]<nint, double, double, void> cb);
        [DllImport(Lib)] public static extern nint glfwSetFramebufferSizeCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, int, void> cb);
    }
}
