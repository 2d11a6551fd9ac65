using System.Runtime.InteropServices;
using Silk.NET.Core;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;
using Uino.Viewer.Platform;

namespace Uino.Viewer.Rendering;

/// <summary>
/// The Vulkan instance, the window's surface, the chosen physical device and one logical device with one queue
/// that both draws and presents. Software drivers (lavapipe) are accepted: the viewer's GPU work is one textured
/// full-screen triangle per frame.
/// </summary>
internal sealed unsafe class VulkanDevice : IDisposable
{
    public Vk Vk { get; }
    public Instance Instance { get; }
    public SurfaceKHR Surface { get; }
    public PhysicalDevice Physical { get; }
    public Device Device { get; }
    public Queue Queue { get; }
    public uint QueueFamily { get; }
    public KhrFunctions Khr { get; }
    /// <summary>The device's name, as the driver reports it (shown in the HUD).</summary>
    public string Name { get; }

    private readonly PhysicalDeviceMemoryProperties memory;

    public VulkanDevice(IViewerWindow window)
    {
        try { Vk = Vk.GetApi(); }
        catch (Exception e) when (e is DllNotFoundException or FileNotFoundException or PlatformNotSupportedException)
        {
            throw new ViewerException("No Vulkan: the Vulkan loader (libvulkan.so.1) could not be loaded. Install libvulkan1 and a driver (software: mesa-vulkan-drivers).", e);
        }
        Instance = CreateInstance(window.RequiredInstanceExtensions);
        Khr = new KhrFunctions(Vk, Instance);
        Surface = window.CreateSurface(Instance);
        (Physical, QueueFamily, Name) = PickDevice();
        PhysicalDeviceMemoryProperties props;
        Vk.GetPhysicalDeviceMemoryProperties(Physical, &props);
        memory = props;
        Device = CreateDevice();
        Queue q;
        Vk.GetDeviceQueue(Device, QueueFamily, 0, &q);
        Queue = q;
        Khr.LoadDevice(Vk, Device);
    }

    /// <summary>Throws a <see cref="ViewerException"/> naming <paramref name="what"/> unless the call succeeded.</summary>
    public static void Check(Result result, string what)
    {
        if (result != Result.Success) throw new ViewerException($"Vulkan: {what} failed ({result}).");
    }

    /// <summary>A memory type allowed by <paramref name="typeBits"/> that has every flag of <paramref name="wanted"/>.</summary>
    public uint FindMemoryType(uint typeBits, MemoryPropertyFlags wanted)
    {
        for (uint i = 0; i < memory.MemoryTypeCount; i++)
            if ((typeBits & (1u << (int)i)) != 0 && (memory.MemoryTypes[(int)i].PropertyFlags & wanted) == wanted) return i;
        throw new ViewerException($"Vulkan: the device has no memory type with {wanted}.");
    }

    private Instance CreateInstance(IReadOnlyList<string> extensions)
    {
        var appName = (byte*)SilkMarshal.StringToPtr("Uino viewer");
        var names = (byte**)SilkMarshal.StringArrayToPtr(extensions.ToArray());
        try
        {
            var app = new ApplicationInfo
            {
                SType = StructureType.ApplicationInfo, PApplicationName = appName, PEngineName = appName,
                ApiVersion = Vk.Version11,
            };
            var info = new InstanceCreateInfo
            {
                SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app,
                EnabledExtensionCount = (uint)extensions.Count, PpEnabledExtensionNames = names,
            };
            Instance instance;
            var r = Vk.CreateInstance(&info, null, &instance);
            if (r != Result.Success)
                throw new ViewerException($"No Vulkan device: creating a Vulkan instance with {string.Join(", ", extensions)} failed ({r}). " +
                                          "Install a Vulkan driver (software: mesa-vulkan-drivers).");
            return instance;
        }
        finally
        {
            SilkMarshal.Free((nint)appName);
            SilkMarshal.FreeString((nint)names, NativeStringEncoding.UTF8);
        }
    }

    private (PhysicalDevice, uint, string) PickDevice()
    {
        uint count = 0;
        Vk.EnumeratePhysicalDevices(Instance, &count, null);
        if (count == 0)
            throw new ViewerException("No Vulkan device: the Vulkan loader found no GPU or software driver (software: apt-get install mesa-vulkan-drivers).");
        var devices = new PhysicalDevice[count];
        fixed (PhysicalDevice* d = devices) Vk.EnumeratePhysicalDevices(Instance, &count, d);
        // Prefer a real GPU; fall back to any device (lavapipe) that can draw and present to this window.
        var candidates = devices.Select(d => (Device: d, Props: Properties(d)))
                                .OrderBy(c => c.Props.DeviceType == PhysicalDeviceType.Cpu ? 1 : 0);
        var seen = new List<string>();
        foreach (var (device, props) in candidates)
        {
            string name = Marshal.PtrToStringUTF8((nint)props.DeviceName) ?? "?";
            seen.Add(name);
            if (!HasExtension(device, "VK_KHR_swapchain")) continue;
            uint families = 0;
            Vk.GetPhysicalDeviceQueueFamilyProperties(device, &families, null);
            var fam = new QueueFamilyProperties[families];
            fixed (QueueFamilyProperties* f = fam) Vk.GetPhysicalDeviceQueueFamilyProperties(device, &families, f);
            for (uint i = 0; i < families; i++)
            {
                if ((fam[i].QueueFlags & QueueFlags.GraphicsBit) == 0) continue;
                Bool32 present;
                Khr.GetSurfaceSupport(device, i, Surface, &present);
                if (present) return (device, i, name);
            }
        }
        throw new ViewerException($"No Vulkan device can draw to this window (devices: {string.Join(", ", seen)}).");
    }

    private PhysicalDeviceProperties Properties(PhysicalDevice d)
    {
        PhysicalDeviceProperties p;
        Vk.GetPhysicalDeviceProperties(d, &p);
        return p;
    }

    private bool HasExtension(PhysicalDevice device, string name)
    {
        uint count = 0;
        Vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, null);
        var props = new ExtensionProperties[count];
        fixed (ExtensionProperties* p = props) Vk.EnumerateDeviceExtensionProperties(device, (byte*)null, &count, p);
        foreach (var e in props)
            if (Marshal.PtrToStringUTF8((nint)e.ExtensionName) == name) return true;
        return false;
    }

    private Device CreateDevice()
    {
        float priority = 1f;
        var queue = new DeviceQueueCreateInfo
        {
            SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = QueueFamily, QueueCount = 1, PQueuePriorities = &priority,
        };
        var ext = (byte**)SilkMarshal.StringArrayToPtr(new[] { "VK_KHR_swapchain" });
        try
        {
            var info = new DeviceCreateInfo
            {
                SType = StructureType.DeviceCreateInfo, QueueCreateInfoCount = 1, PQueueCreateInfos = &queue,
                EnabledExtensionCount = 1, PpEnabledExtensionNames = ext,
            };
            Device device;
            Check(Vk.CreateDevice(Physical, &info, null, &device), "creating the logical device");
            return device;
        }
        finally { SilkMarshal.FreeString((nint)ext, NativeStringEncoding.UTF8); }
    }

    public void Dispose()
    {
        if (Device.Handle != 0)
        {
            Vk.DeviceWaitIdle(Device);
            Vk.DestroyDevice(Device, null);
        }
        if (Surface.Handle != 0) Khr.DestroySurface(Instance, Surface, null);
        Vk.DestroyInstance(Instance, null);
        Vk.Dispose();
    }
}
