using Silk.NET.Vulkan;
using Uino.Viewer.Platform;
using Semaphore = Silk.NET.Vulkan.Semaphore;

namespace Uino.Viewer.Rendering;

/// <summary>A read-back window picture: rows packed, 4 bytes a pixel, B,G,R,A when <paramref name="Bgra"/> else R,G,B,A.</summary>
internal readonly ref struct Picture(int width, int height, bool bgra, ReadOnlySpan<byte> pixels)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public bool Bgra { get; } = bgra;
    public ReadOnlySpan<byte> Pixels { get; } = pixels;
}

/// <summary>
/// Draws one window frame: uploads the textures that changed, runs the overlay pipeline, optionally copies the
/// result back to host memory, presents. One frame in flight: <see cref="BeginFrame"/> waits for the previous one,
/// after which the staging buffers and textures may be rewritten or replaced.
/// </summary>
internal sealed unsafe class OverlayRenderer : IDisposable
{
    private const uint FrameBinding = 0, MaskBinding = 1, HudBinding = 2;
    private readonly VulkanDevice gpu;
    private readonly IViewerWindow window;
    private readonly Swapchain swapchain;
    private readonly OverlayPipeline pipeline;
    private readonly CommandPool commandPool;
    private readonly CommandBuffer cmd;
    private readonly Fence inFlight;
    private readonly Semaphore imageAvailable;
    private Semaphore[] renderFinished = [];
    private HostBuffer? readback;
    private bool needsRecreate = true;
    private uint imageIndex;

    public GpuTexture FrameTexture { get; private set; }
    public GpuTexture MaskTexture { get; private set; }
    public GpuTexture HudTexture { get; private set; }
    /// <summary>Size of the drawable, in pixels, as of the last <see cref="BeginFrame"/>.</summary>
    public (int Width, int Height) Size => ((int)swapchain.Extent.Width, (int)swapchain.Extent.Height);
    /// <summary>Swapchain recreations so far (the first creation included).</summary>
    public int SwapchainCreations { get; private set; }

    public OverlayRenderer(VulkanDevice gpu, IViewerWindow window)
    {
        this.gpu = gpu;
        this.window = window;
        var vk = gpu.Vk;
        swapchain = new Swapchain(gpu);
        pipeline = new OverlayPipeline(gpu, swapchain.Format);
        var poolInfo = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = gpu.QueueFamily, Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
        };
        VulkanDevice.Check(vk.CreateCommandPool(gpu.Device, &poolInfo, null, out commandPool), "creating the command pool");
        var alloc = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = commandPool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        VulkanDevice.Check(vk.AllocateCommandBuffers(gpu.Device, &alloc, out cmd), "allocating the command buffer");
        var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo, Flags = FenceCreateFlags.SignaledBit };
        VulkanDevice.Check(vk.CreateFence(gpu.Device, &fenceInfo, null, out inFlight), "creating a fence");
        imageAvailable = CreateSemaphore();
        FrameTexture = new GpuTexture(gpu, 1, 1, Format.B8G8R8A8Unorm);
        MaskTexture = new GpuTexture(gpu, 1, 1, Format.R8Unorm);
        HudTexture = new GpuTexture(gpu, 1, 1, Format.B8G8R8A8Unorm);
        pipeline.Bind(FrameBinding, FrameTexture);
        pipeline.Bind(MaskBinding, MaskTexture);
        pipeline.Bind(HudBinding, HudTexture);
    }

    /// <summary>The window changed size: the swapchain is rebuilt before the next frame.</summary>
    public void NotifyResized() => needsRecreate = true;

    /// <summary>
    /// Waits for the previous frame and acquires a window image. False: nothing can be drawn now (minimised, or
    /// the swapchain was just rebuilt); try again next tick.
    /// </summary>
    public bool BeginFrame()
    {
        var vk = gpu.Vk;
        var fence = inFlight;
        vk.WaitForFences(gpu.Device, 1, &fence, true, ulong.MaxValue);
        if (needsRecreate && !RecreateSwapchain()) return false;
        uint index;
        var r = gpu.Khr.AcquireNextImage(gpu.Device, swapchain.Handle, ulong.MaxValue, imageAvailable, default, &index);
        if (r == Result.ErrorOutOfDateKhr) { needsRecreate = true; return false; }
        if (r != Result.Success && r != Result.SuboptimalKhr) VulkanDevice.Check(r, "acquiring a window image");
        if (r == Result.SuboptimalKhr) needsRecreate = true;
        imageIndex = index;
        return true;
    }

    /// <summary>The frame texture at <paramref name="width"/>×<paramref name="height"/> (recreated on a size change; call after <see cref="BeginFrame"/>).</summary>
    public GpuTexture FrameTextureSized(int width, int height) => Resize(FrameTexture, width, height, FrameBinding, t => FrameTexture = t);
    public GpuTexture MaskTextureSized(int width, int height) => Resize(MaskTexture, width, height, MaskBinding, t => MaskTexture = t);
    public GpuTexture HudTextureSized(int width, int height) => Resize(HudTexture, width, height, HudBinding, t => HudTexture = t);

    private GpuTexture Resize(GpuTexture texture, int width, int height, uint binding, Action<GpuTexture> store)
    {
        if (texture.Width == width && texture.Height == height) return texture;
        // Safe without waiting: BeginFrame waited for the only frame that could be sampling it.
        var created = new GpuTexture(gpu, width, height, texture.Format);
        texture.Dispose();
        store(created);
        pipeline.Bind(binding, created);
        return created;
    }

    /// <summary>Records, submits and presents the frame; with <paramref name="readBack"/> the picture is copied for <see cref="ReadBack"/>.</summary>
    public void EndFrame(in OverlayParams parameters, bool readBack)
    {
        var vk = gpu.Vk;
        var extent = swapchain.Extent;
        if (readBack && (readback is null || readback.Size != (long)extent.Width * extent.Height * 4))
        {
            readback?.Dispose();
            readback = new HostBuffer(gpu, (long)extent.Width * extent.Height * 4, BufferUsageFlags.TransferDstBit);
        }
        vk.ResetCommandBuffer(cmd, 0);
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        VulkanDevice.Check(vk.BeginCommandBuffer(cmd, &begin), "beginning the command buffer");
        FrameTexture.RecordUpload(cmd);
        MaskTexture.RecordUpload(cmd);
        HudTexture.RecordUpload(cmd);

        var passInfo = new RenderPassBeginInfo
        {
            SType = StructureType.RenderPassBeginInfo, RenderPass = pipeline.RenderPass, Framebuffer = swapchain.FramebufferAt(imageIndex),
            RenderArea = new Rect2D(new Offset2D(0, 0), extent),
        };
        vk.CmdBeginRenderPass(cmd, &passInfo, SubpassContents.Inline);
        var viewport = new Viewport(0, 0, extent.Width, extent.Height, 0, 1);
        var scissor = new Rect2D(new Offset2D(0, 0), extent);
        vk.CmdSetViewport(cmd, 0, 1, &viewport);
        vk.CmdSetScissor(cmd, 0, 1, &scissor);
        vk.CmdBindPipeline(cmd, PipelineBindPoint.Graphics, pipeline.Pipeline);
        var set = pipeline.Set;
        vk.CmdBindDescriptorSets(cmd, PipelineBindPoint.Graphics, pipeline.Layout, 0, 1, &set, 0, null);
        var p = parameters;
        vk.CmdPushConstants(cmd, pipeline.Layout, ShaderStageFlags.FragmentBit, 0, (uint)sizeof(OverlayParams), &p);
        vk.CmdDraw(cmd, 3, 1, 0, 0);
        vk.CmdEndRenderPass(cmd);
        if (readBack) RecordReadback(extent);
        VulkanDevice.Check(vk.EndCommandBuffer(cmd), "ending the command buffer");

        var waitSemaphore = imageAvailable;
        var waitStage = PipelineStageFlags.ColorAttachmentOutputBit;
        var signal = renderFinished[imageIndex];
        var commandBuffer = cmd;
        var submit = new SubmitInfo
        {
            SType = StructureType.SubmitInfo, WaitSemaphoreCount = 1, PWaitSemaphores = &waitSemaphore, PWaitDstStageMask = &waitStage,
            CommandBufferCount = 1, PCommandBuffers = &commandBuffer, SignalSemaphoreCount = 1, PSignalSemaphores = &signal,
        };
        var fence = inFlight;
        vk.ResetFences(gpu.Device, 1, &fence);
        VulkanDevice.Check(vk.QueueSubmit(gpu.Queue, 1, &submit, fence), "submitting the frame");

        var chain = swapchain.Handle;
        uint index = imageIndex;
        var present = new PresentInfoKHR
        {
            SType = StructureType.PresentInfoKhr, WaitSemaphoreCount = 1, PWaitSemaphores = &signal, SwapchainCount = 1,
            PSwapchains = &chain, PImageIndices = &index,
        };
        var r = gpu.Khr.QueuePresent(gpu.Queue, &present);
        if (r is Result.ErrorOutOfDateKhr or Result.SuboptimalKhr) needsRecreate = true;
        else VulkanDevice.Check(r, "presenting");
    }

    /// <summary>
    /// The picture of the last <see cref="EndFrame"/> with read-back: width, height, and BGRA or RGBA bytes
    /// (<see cref="Swapchain.IsBgra"/>), rows packed. Waits for the GPU.
    /// </summary>
    public Picture ReadBack()
    {
        if (readback is null) throw new InvalidOperationException("No frame was drawn with read-back.");
        var fence = inFlight;
        gpu.Vk.WaitForFences(gpu.Device, 1, &fence, true, ulong.MaxValue);
        return new Picture((int)swapchain.Extent.Width, (int)swapchain.Extent.Height, swapchain.IsBgra, readback.Bytes);
    }

    private void RecordReadback(Extent2D extent)
    {
        var vk = gpu.Vk;
        var image = swapchain.ImageAt(imageIndex);
        var range = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1);
        var toCopy = new ImageMemoryBarrier
        {
            SType = StructureType.ImageMemoryBarrier, OldLayout = ImageLayout.PresentSrcKhr, NewLayout = ImageLayout.TransferSrcOptimal,
            SrcAccessMask = AccessFlags.ColorAttachmentWriteBit, DstAccessMask = AccessFlags.TransferReadBit,
            SrcQueueFamilyIndex = Vk.QueueFamilyIgnored, DstQueueFamilyIndex = Vk.QueueFamilyIgnored, Image = image, SubresourceRange = range,
        };
        vk.CmdPipelineBarrier(cmd, PipelineStageFlags.ColorAttachmentOutputBit, PipelineStageFlags.TransferBit, 0, 0, null, 0, null, 1, &toCopy);
        var region = new BufferImageCopy
        {
            ImageSubresource = new ImageSubresourceLayers(ImageAspectFlags.ColorBit, 0, 0, 1), ImageExtent = new Extent3D(extent.Width, extent.Height, 1),
        };
        vk.CmdCopyImageToBuffer(cmd, image, ImageLayout.TransferSrcOptimal, readback!.Handle, 1, &region);
        var back = toCopy with
        {
            OldLayout = ImageLayout.TransferSrcOptimal, NewLayout = ImageLayout.PresentSrcKhr,
            SrcAccessMask = AccessFlags.TransferReadBit, DstAccessMask = 0,
        };
        vk.CmdPipelineBarrier(cmd, PipelineStageFlags.TransferBit, PipelineStageFlags.BottomOfPipeBit, 0, 0, null, 0, null, 1, &back);
    }

    private bool RecreateSwapchain()
    {
        var (w, h) = window.FramebufferSize;
        if (w == 0 || h == 0) return false;
        if (!swapchain.Recreate(w, h, pipeline.RenderPass)) return false;
        foreach (var s in renderFinished) gpu.Vk.DestroySemaphore(gpu.Device, s, null);
        renderFinished = new Semaphore[swapchain.ImageCount];
        for (int i = 0; i < renderFinished.Length; i++) renderFinished[i] = CreateSemaphore();
        needsRecreate = false;
        SwapchainCreations++;
        return true;
    }

    private Semaphore CreateSemaphore()
    {
        var info = new SemaphoreCreateInfo { SType = StructureType.SemaphoreCreateInfo };
        VulkanDevice.Check(gpu.Vk.CreateSemaphore(gpu.Device, &info, null, out var s), "creating a semaphore");
        return s;
    }

    public void Dispose()
    {
        var vk = gpu.Vk;
        vk.DeviceWaitIdle(gpu.Device);
        readback?.Dispose();
        FrameTexture.Dispose();
        MaskTexture.Dispose();
        HudTexture.Dispose();
        foreach (var s in renderFinished) vk.DestroySemaphore(gpu.Device, s, null);
        vk.DestroySemaphore(gpu.Device, imageAvailable, null);
        vk.DestroyFence(gpu.Device, inFlight, null);
        vk.DestroyCommandPool(gpu.Device, commandPool, null);
        pipeline.Dispose();
        swapchain.Dispose();
    }
}
