using Silk.NET.Core;
using Silk.NET.Vulkan;
using Semaphore = Silk.NET.Vulkan.Semaphore;

namespace Uino.Viewer.Rendering;

/// <summary>
/// The VK_KHR_surface and VK_KHR_swapchain entry points, loaded through <c>vkGetInstanceProcAddr</c> and
/// <c>vkGetDeviceProcAddr</c> (Silk.NET.Vulkan.Extensions.KHR is not available to this build; the structures and
/// enums are in Silk.NET.Vulkan itself).
/// </summary>
internal sealed unsafe class KhrFunctions
{
    public readonly delegate* unmanaged<PhysicalDevice, uint, SurfaceKHR, Bool32*, Result> GetSurfaceSupport;
    public readonly delegate* unmanaged<PhysicalDevice, SurfaceKHR, SurfaceCapabilitiesKHR*, Result> GetSurfaceCapabilities;
    public readonly delegate* unmanaged<PhysicalDevice, SurfaceKHR, uint*, SurfaceFormatKHR*, Result> GetSurfaceFormats;
    public readonly delegate* unmanaged<PhysicalDevice, SurfaceKHR, uint*, PresentModeKHR*, Result> GetSurfacePresentModes;
    public readonly delegate* unmanaged<Instance, SurfaceKHR, AllocationCallbacks*, void> DestroySurface;
    public delegate* unmanaged<Device, SwapchainCreateInfoKHR*, AllocationCallbacks*, SwapchainKHR*, Result> CreateSwapchain { get; private set; }
    public delegate* unmanaged<Device, SwapchainKHR, AllocationCallbacks*, void> DestroySwapchain { get; private set; }
    public delegate* unmanaged<Device, SwapchainKHR, uint*, Image*, Result> GetSwapchainImages { get; private set; }
    public delegate* unmanaged<Device, SwapchainKHR, ulong, Semaphore, Fence, uint*, Result> AcquireNextImage { get; private set; }
    public delegate* unmanaged<Queue, PresentInfoKHR*, Result> QueuePresent { get; private set; }

    public KhrFunctions(Vk vk, Instance instance)
    {
        GetSurfaceSupport = (delegate* unmanaged<PhysicalDevice, uint, SurfaceKHR, Bool32*, Result>)Instance(vk, instance, "vkGetPhysicalDeviceSurfaceSupportKHR");
        GetSurfaceCapabilities = (delegate* unmanaged<PhysicalDevice, SurfaceKHR, SurfaceCapabilitiesKHR*, Result>)Instance(vk, instance, "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
        GetSurfaceFormats = (delegate* unmanaged<PhysicalDevice, SurfaceKHR, uint*, SurfaceFormatKHR*, Result>)Instance(vk, instance, "vkGetPhysicalDeviceSurfaceFormatsKHR");
        GetSurfacePresentModes = (delegate* unmanaged<PhysicalDevice, SurfaceKHR, uint*, PresentModeKHR*, Result>)Instance(vk, instance, "vkGetPhysicalDeviceSurfacePresentModesKHR");
        DestroySurface = (delegate* unmanaged<Instance, SurfaceKHR, AllocationCallbacks*, void>)Instance(vk, instance, "vkDestroySurfaceKHR");
    }

    /// <summary>Loads the swapchain functions of <paramref name="device"/> (created with VK_KHR_swapchain).</summary>
    public void LoadDevice(Vk vk, Device device)
    {
        CreateSwapchain = (delegate* unmanaged<Device, SwapchainCreateInfoKHR*, AllocationCallbacks*, SwapchainKHR*, Result>)DeviceFn(vk, device, "vkCreateSwapchainKHR");
        DestroySwapchain = (delegate* unmanaged<Device, SwapchainKHR, AllocationCallbacks*, void>)DeviceFn(vk, device, "vkDestroySwapchainKHR");
        GetSwapchainImages = (delegate* unmanaged<Device, SwapchainKHR, uint*, Image*, Result>)DeviceFn(vk, device, "vkGetSwapchainImagesKHR");
        AcquireNextImage = (delegate* unmanaged<Device, SwapchainKHR, ulong, Semaphore, Fence, uint*, Result>)DeviceFn(vk, device, "vkAcquireNextImageKHR");
        QueuePresent = (delegate* unmanaged<Queue, PresentInfoKHR*, Result>)DeviceFn(vk, device, "vkQueuePresentKHR");
    }

    private static void* Instance(Vk vk, Instance instance, string name)
    {
        void* f = vk.GetInstanceProcAddr(instance, name).Handle;
        if (f == null) throw new ViewerException($"The Vulkan driver does not provide {name}: it cannot present to a window.");
        return f;
    }

    private static void* DeviceFn(Vk vk, Device device, string name)
    {
        void* f = vk.GetDeviceProcAddr(device, name).Handle;
        if (f == null) throw new ViewerException($"The Vulkan device does not provide {name}: it cannot present to a window.");
        return f;
    }
}
