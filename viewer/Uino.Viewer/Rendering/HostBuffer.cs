using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace Uino.Viewer.Rendering;

/// <summary>
/// A buffer in host-visible, coherent memory, mapped for its whole life: the staging area frames are written into
/// before the GPU copies them to a texture, and the area the composed picture is read back into.
/// </summary>
internal sealed unsafe class HostBuffer : IDisposable
{
    private readonly VulkanDevice gpu;
    private DeviceMemory memory;

    public Buffer Handle { get; }
    public long Size { get; }
    public byte* Pointer { get; }
    public Span<byte> Bytes => new(Pointer, checked((int)Size));

    public HostBuffer(VulkanDevice gpu, long size, BufferUsageFlags usage)
    {
        this.gpu = gpu;
        Size = size;
        var vk = gpu.Vk;
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = (ulong)size, Usage = usage, SharingMode = SharingMode.Exclusive };
        VulkanDevice.Check(vk.CreateBuffer(gpu.Device, &info, null, out var buffer), "creating a host buffer");
        Handle = buffer;
        vk.GetBufferMemoryRequirements(gpu.Device, buffer, out var req);
        var alloc = new MemoryAllocateInfo
        {
            SType = StructureType.MemoryAllocateInfo, AllocationSize = req.Size,
            MemoryTypeIndex = gpu.FindMemoryType(req.MemoryTypeBits, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit),
        };
        VulkanDevice.Check(vk.AllocateMemory(gpu.Device, &alloc, null, out memory), $"allocating {size} bytes of host memory");
        VulkanDevice.Check(vk.BindBufferMemory(gpu.Device, buffer, memory, 0), "binding host memory");
        void* p;
        VulkanDevice.Check(vk.MapMemory(gpu.Device, memory, 0, (ulong)size, 0, &p), "mapping host memory");
        Pointer = (byte*)p;
    }

    public void Dispose()
    {
        if (memory.Handle == 0) return;
        gpu.Vk.UnmapMemory(gpu.Device, memory);
        gpu.Vk.DestroyBuffer(gpu.Device, Handle, null);
        gpu.Vk.FreeMemory(gpu.Device, memory, null);
        memory = default;
    }
}
