using Silk.NET.Vulkan;

namespace Uino.Viewer.Rendering;

/// <summary>
/// The window's swapchain with a view and a framebuffer per image. Recreated (<see cref="Recreate"/>) whenever the
/// window's size changes or presenting reports it out of date. Images are also transfer sources, so the composed
/// picture can be read back for <c>--screenshot</c> and <c>--record</c>.
/// </summary>
internal sealed unsafe class Swapchain : IDisposable
{
    private readonly VulkanDevice gpu;
    private SwapchainKHR handle;
    private Image[] images = [];
    private ImageView[] views = [];
    private Framebuffer[] framebuffers = [];

    public Format Format { get; }
    public Extent2D Extent { get; private set; }
    public SwapchainKHR Handle => handle;
    public int ImageCount => images.Length;
    public Image ImageAt(uint i) => images[i];
    public Framebuffer FramebufferAt(uint i) => framebuffers[i];
    /// <summary>True when the swapchain's bytes are B,G,R,A (else R,G,B,A); readback swaps accordingly.</summary>
    public bool IsBgra => Format is Format.B8G8R8A8Unorm or Format.B8G8R8A8Srgb;

    public Swapchain(VulkanDevice gpu)
    {
        this.gpu = gpu;
        Format = ChooseFormat();
        presentMode = ChoosePresentMode();
    }

    private readonly PresentModeKHR presentMode;

    /// <summary>
    /// MAILBOX where offered: the viewer paces itself (Xvfb has no vertical sync), so presenting must never block the
    /// display thread, and mailbox does not tear. Otherwise FIFO, the one mode every driver has.
    /// </summary>
    private PresentModeKHR ChoosePresentMode()
    {
        uint n = 0;
        gpu.Khr.GetSurfacePresentModes(gpu.Physical, gpu.Surface, &n, null);
        var modes = new PresentModeKHR[n];
        fixed (PresentModeKHR* p = modes) gpu.Khr.GetSurfacePresentModes(gpu.Physical, gpu.Surface, &n, p);
        return modes.Contains(PresentModeKHR.MailboxKhr) ? PresentModeKHR.MailboxKhr : PresentModeKHR.FifoKhr;
    }

    /// <summary>(Re)creates the swapchain for a drawable of <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <returns>False when the window has no area (minimised): nothing can be drawn until it has.</returns>
    public bool Recreate(int width, int height, RenderPass renderPass)
    {
        var vk = gpu.Vk;
        vk.DeviceWaitIdle(gpu.Device);
        SurfaceCapabilitiesKHR caps;
        VulkanDevice.Check(gpu.Khr.GetSurfaceCapabilities(gpu.Physical, gpu.Surface, &caps), "reading the surface capabilities");
        // currentExtent is the window's size where the platform fixes it (X11); 0xFFFFFFFF means "you choose".
        var extent = caps.CurrentExtent.Width != uint.MaxValue
            ? caps.CurrentExtent
            : new Extent2D(Math.Clamp((uint)width, caps.MinImageExtent.Width, caps.MaxImageExtent.Width),
                           Math.Clamp((uint)height, caps.MinImageExtent.Height, caps.MaxImageExtent.Height));
        if (extent.Width == 0 || extent.Height == 0) return false;
        if ((caps.SupportedUsageFlags & ImageUsageFlags.TransferSrcBit) == 0)
            throw new ViewerException("The window's swapchain images cannot be read back (no TRANSFER_SRC usage); screenshots and recording are impossible on this driver.");

        uint count = caps.MinImageCount + 1;
        if (caps.MaxImageCount != 0) count = Math.Min(count, caps.MaxImageCount);
        var old = handle;
        var info = new SwapchainCreateInfoKHR
        {
            SType = StructureType.SwapchainCreateInfoKhr, Surface = gpu.Surface, MinImageCount = count,
            ImageFormat = Format, ImageColorSpace = ColorSpaceKHR.SpaceSrgbNonlinearKhr, ImageExtent = extent,
            ImageArrayLayers = 1, ImageUsage = ImageUsageFlags.ColorAttachmentBit | ImageUsageFlags.TransferSrcBit,
            ImageSharingMode = SharingMode.Exclusive, PreTransform = caps.CurrentTransform,
            CompositeAlpha = CompositeAlphaFlagsKHR.OpaqueBitKhr,
            PresentMode = presentMode, Clipped = true, OldSwapchain = old,
        };
        SwapchainKHR created;
        VulkanDevice.Check(gpu.Khr.CreateSwapchain(gpu.Device, &info, null, &created), "creating the swapchain");
        DestroyViews();
        if (old.Handle != 0) gpu.Khr.DestroySwapchain(gpu.Device, old, null);
        handle = created;
        Extent = extent;

        uint n = 0;
        gpu.Khr.GetSwapchainImages(gpu.Device, handle, &n, null);
        images = new Image[n];
        fixed (Image* p = images) gpu.Khr.GetSwapchainImages(gpu.Device, handle, &n, p);
        views = new ImageView[n];
        framebuffers = new Framebuffer[n];
        for (int i = 0; i < n; i++)
        {
            var viewInfo = new ImageViewCreateInfo
            {
                SType = StructureType.ImageViewCreateInfo, Image = images[i], ViewType = ImageViewType.Type2D, Format = Format,
                SubresourceRange = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1),
            };
            VulkanDevice.Check(vk.CreateImageView(gpu.Device, &viewInfo, null, out views[i]), "creating a swapchain image view");
            var view = views[i];
            var fbInfo = new FramebufferCreateInfo
            {
                SType = StructureType.FramebufferCreateInfo, RenderPass = renderPass, AttachmentCount = 1, PAttachments = &view,
                Width = extent.Width, Height = extent.Height, Layers = 1,
            };
            VulkanDevice.Check(vk.CreateFramebuffer(gpu.Device, &fbInfo, null, out framebuffers[i]), "creating a framebuffer");
        }
        return true;
    }

    private Format ChooseFormat()
    {
        uint n = 0;
        gpu.Khr.GetSurfaceFormats(gpu.Physical, gpu.Surface, &n, null);
        var formats = new SurfaceFormatKHR[n];
        fixed (SurfaceFormatKHR* p = formats) gpu.Khr.GetSurfaceFormats(gpu.Physical, gpu.Surface, &n, p);
        // UNORM, not sRGB: the frame's bytes go to the screen unchanged, as every other video player shows them.
        foreach (var wanted in new[] { Format.B8G8R8A8Unorm, Format.R8G8B8A8Unorm })
            if (formats.Any(f => f.Format == wanted)) return wanted;
        throw new ViewerException($"The window offers no 8-bit UNORM swapchain format (offers: {string.Join(", ", formats.Select(f => f.Format))}).");
    }

    private void DestroyViews()
    {
        foreach (var f in framebuffers) gpu.Vk.DestroyFramebuffer(gpu.Device, f, null);
        foreach (var v in views) gpu.Vk.DestroyImageView(gpu.Device, v, null);
        framebuffers = [];
        views = [];
    }

    public void Dispose()
    {
        DestroyViews();
        if (handle.Handle != 0) gpu.Khr.DestroySwapchain(gpu.Device, handle, null);
        handle = default;
    }
}
