using OpenCvSharp;
using Silk.NET.Vulkan;
using Image = Silk.NET.Vulkan.Image;

namespace Uino.Viewer.Rendering;

/// <summary>
/// A sampled 2D texture with its own staging buffer. The CPU writes the pixels into <see cref="Staging"/> (after
/// the previous frame's GPU work has finished) and calls <see cref="MarkDirty"/>; the next command buffer copies
/// them in (<see cref="RecordUpload"/>). Only changed textures are copied.
/// </summary>
internal sealed unsafe class GpuTexture : IDisposable
{
    private readonly VulkanDevice gpu;
    private DeviceMemory memory;
    private ImageLayout layout = ImageLayout.Undefined;
    private bool dirty;

    public Image Image { get; }
    public ImageView View { get; }
    public int Width { get; }
    public int Height { get; }
    public int BytesPerPixel { get; }
    public Format Format { get; }
    public HostBuffer Staging { get; }

    public GpuTexture(VulkanDevice gpu, int width, int height, Format format)
    {
        this.gpu = gpu;
        (Width, Height, Format) = (width, height, format);
        BytesPerPixel = format == Format.R8Unorm ? 1 : 4;
        var vk = gpu.Vk;
        var info = new ImageCreateInfo
        {
            SType = StructureType.ImageCreateInfo, ImageType = ImageType.Type2D, Format = format,
            Extent = new Extent3D((uint)width, (uint)height, 1), MipLevels = 1, ArrayLayers = 1, Samples = SampleCountFlags.Count1Bit,
            Tiling = ImageTiling.Optimal, Usage = ImageUsageFlags.SampledBit | ImageUsageFlags.TransferDstBit,
            SharingMode = SharingMode.Exclusive, InitialLayout = ImageLayout.Undefined,
        };
        VulkanDevice.Check(vk.CreateImage(gpu.Device, &info, null, out var image), $"creating a {width}×{height} {format} texture");
        Image = image;
        vk.GetImageMemoryRequirements(gpu.Device, image, out var req);
        var alloc = new MemoryAllocateInfo
        {
            SType = StructureType.MemoryAllocateInfo, AllocationSize = req.Size,
            MemoryTypeIndex = gpu.FindMemoryType(req.MemoryTypeBits, MemoryPropertyFlags.DeviceLocalBit),
        };
        VulkanDevice.Check(vk.AllocateMemory(gpu.Device, &alloc, null, out memory), "allocating texture memory");
        VulkanDevice.Check(vk.BindImageMemory(gpu.Device, image, memory, 0), "binding texture memory");
        var viewInfo = new ImageViewCreateInfo
        {
            SType = StructureType.ImageViewCreateInfo, Image = image, ViewType = ImageViewType.Type2D, Format = format,
            SubresourceRange = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1),
        };
        VulkanDevice.Check(vk.CreateImageView(gpu.Device, &viewInfo, null, out var view), "creating a texture view");
        View = view;
        Staging = new HostBuffer(gpu, (long)width * height * BytesPerPixel, BufferUsageFlags.TransferSrcBit);
        Staging.Bytes.Clear();
        dirty = true;   // the first upload also moves the image out of UNDEFINED
    }

    private Mat? stagingMat;

    /// <summary>The staging memory as an OpenCV image (made once), so conversions write straight into it.</summary>
    public Mat StagingMat => stagingMat ??= Mat.FromPixelData(Height, Width, BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_8UC4, (nint)Staging.Pointer);

    /// <summary>Bytes from one row to the next in <see cref="Staging"/> (tightly packed).</summary>
    public int RowBytes => Width * BytesPerPixel;

    public void MarkDirty() => dirty = true;

    /// <summary>Records the staging → image copy if the pixels changed, leaving the image ready for sampling.</summary>
    public void RecordUpload(CommandBuffer cmd)
    {
        if (!dirty) return;
        var vk = gpu.Vk;
        Transition(cmd, layout, ImageLayout.TransferDstOptimal, AccessFlags.ShaderReadBit, AccessFlags.TransferWriteBit,
                   PipelineStageFlags.FragmentShaderBit, PipelineStageFlags.TransferBit);
        var region = new BufferImageCopy
        {
            ImageSubresource = new ImageSubresourceLayers(ImageAspectFlags.ColorBit, 0, 0, 1),
            ImageExtent = new Extent3D((uint)Width, (uint)Height, 1),
        };
        vk.CmdCopyBufferToImage(cmd, Staging.Handle, Image, ImageLayout.TransferDstOptimal, 1, &region);
        Transition(cmd, ImageLayout.TransferDstOptimal, ImageLayout.ShaderReadOnlyOptimal, AccessFlags.TransferWriteBit, AccessFlags.ShaderReadBit,
                   PipelineStageFlags.TransferBit, PipelineStageFlags.FragmentShaderBit);
        layout = ImageLayout.ShaderReadOnlyOptimal;
        dirty = false;
    }

    private void Transition(CommandBuffer cmd, ImageLayout from, ImageLayout to, AccessFlags srcAccess, AccessFlags dstAccess,
                            PipelineStageFlags srcStage, PipelineStageFlags dstStage)
    {
        var barrier = new ImageMemoryBarrier
        {
            SType = StructureType.ImageMemoryBarrier, OldLayout = from, NewLayout = to,
            SrcAccessMask = from == ImageLayout.Undefined ? 0 : srcAccess, DstAccessMask = dstAccess,
            SrcQueueFamilyIndex = Vk.QueueFamilyIgnored, DstQueueFamilyIndex = Vk.QueueFamilyIgnored, Image = Image,
            SubresourceRange = new ImageSubresourceRange(ImageAspectFlags.ColorBit, 0, 1, 0, 1),
        };
        gpu.Vk.CmdPipelineBarrier(cmd, from == ImageLayout.Undefined ? PipelineStageFlags.TopOfPipeBit : srcStage, dstStage,
                                  0, 0, null, 0, null, 1, &barrier);
    }

    public void Dispose()
    {
        if (memory.Handle == 0) return;
        stagingMat?.Dispose();
        Staging.Dispose();
        gpu.Vk.DestroyImageView(gpu.Device, View, null);
        gpu.Vk.DestroyImage(gpu.Device, Image, null);
        gpu.Vk.FreeMemory(gpu.Device, memory, null);
        memory = default;
    }
}
