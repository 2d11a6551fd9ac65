using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace Uino.Viewer.Rendering;

/// <summary>
/// The fixed GPU state of the overlay: the render pass, the graphics pipeline (full-screen triangle +
/// <c>overlay.frag</c>, viewport and scissor dynamic so a resize does not rebuild it), the sampler and the one
/// descriptor set binding the frame, mask and HUD textures.
/// </summary>
internal sealed unsafe class OverlayPipeline : IDisposable
{
    private readonly VulkanDevice gpu;
    private readonly DescriptorSetLayout setLayout;
    private readonly DescriptorPool pool;
    private readonly Sampler sampler;

    public RenderPass RenderPass { get; }
    public PipelineLayout Layout { get; }
    public Pipeline Pipeline { get; }
    public DescriptorSet Set { get; }

    public OverlayPipeline(VulkanDevice gpu, Format colorFormat)
    {
        this.gpu = gpu;
        var vk = gpu.Vk;
        RenderPass = CreateRenderPass(colorFormat);

        var bindings = stackalloc DescriptorSetLayoutBinding[3];
        for (uint i = 0; i < 3; i++)
            bindings[i] = new DescriptorSetLayoutBinding(i, DescriptorType.CombinedImageSampler, 1, ShaderStageFlags.FragmentBit);
        var setInfo = new DescriptorSetLayoutCreateInfo { SType = StructureType.DescriptorSetLayoutCreateInfo, BindingCount = 3, PBindings = bindings };
        VulkanDevice.Check(vk.CreateDescriptorSetLayout(gpu.Device, &setInfo, null, out setLayout), "creating the descriptor set layout");

        var push = new PushConstantRange(ShaderStageFlags.FragmentBit, 0, (uint)sizeof(OverlayParams));
        var layoutSet = setLayout;
        var layoutInfo = new PipelineLayoutCreateInfo
        {
            SType = StructureType.PipelineLayoutCreateInfo, SetLayoutCount = 1, PSetLayouts = &layoutSet,
            PushConstantRangeCount = 1, PPushConstantRanges = &push,
        };
        VulkanDevice.Check(vk.CreatePipelineLayout(gpu.Device, &layoutInfo, null, out var layout), "creating the pipeline layout");
        Layout = layout;
        Pipeline = CreatePipeline();

        var samplerInfo = new SamplerCreateInfo
        {
            SType = StructureType.SamplerCreateInfo, MagFilter = Filter.Linear, MinFilter = Filter.Linear,
            AddressModeU = SamplerAddressMode.ClampToEdge, AddressModeV = SamplerAddressMode.ClampToEdge, AddressModeW = SamplerAddressMode.ClampToEdge,
            MipmapMode = SamplerMipmapMode.Nearest, MaxLod = 0,
        };
        VulkanDevice.Check(vk.CreateSampler(gpu.Device, &samplerInfo, null, out sampler), "creating the sampler");

        var size = new DescriptorPoolSize(DescriptorType.CombinedImageSampler, 3);
        var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 1, PPoolSizes = &size };
        VulkanDevice.Check(vk.CreateDescriptorPool(gpu.Device, &poolInfo, null, out pool), "creating the descriptor pool");
        var alloc = new DescriptorSetAllocateInfo { SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = pool, DescriptorSetCount = 1, PSetLayouts = &layoutSet };
        VulkanDevice.Check(vk.AllocateDescriptorSets(gpu.Device, &alloc, out var set), "allocating the descriptor set");
        Set = set;
    }

    /// <summary>Points binding <paramref name="binding"/> at <paramref name="texture"/> (only while the set is not in use).</summary>
    public void Bind(uint binding, GpuTexture texture)
    {
        var image = new DescriptorImageInfo(sampler, texture.View, ImageLayout.ShaderReadOnlyOptimal);
        var write = new WriteDescriptorSet
        {
            SType = StructureType.WriteDescriptorSet, DstSet = Set, DstBinding = binding, DescriptorCount = 1,
            DescriptorType = DescriptorType.CombinedImageSampler, PImageInfo = &image,
        };
        gpu.Vk.UpdateDescriptorSets(gpu.Device, 1, &write, 0, null);
    }

    private RenderPass CreateRenderPass(Format format)
    {
        var color = new AttachmentDescription
        {
            Format = format, Samples = SampleCountFlags.Count1Bit, LoadOp = AttachmentLoadOp.DontCare, StoreOp = AttachmentStoreOp.Store,
            StencilLoadOp = AttachmentLoadOp.DontCare, StencilStoreOp = AttachmentStoreOp.DontCare,
            InitialLayout = ImageLayout.Undefined, FinalLayout = ImageLayout.PresentSrcKhr,
        };
        var reference = new AttachmentReference(0, ImageLayout.ColorAttachmentOptimal);
        var subpass = new SubpassDescription { PipelineBindPoint = PipelineBindPoint.Graphics, ColorAttachmentCount = 1, PColorAttachments = &reference };
        // The acquired image may still be read by the presentation engine until the acquire semaphore signals.
        var dependency = new SubpassDependency
        {
            SrcSubpass = Vk.SubpassExternal, DstSubpass = 0,
            SrcStageMask = PipelineStageFlags.ColorAttachmentOutputBit, DstStageMask = PipelineStageFlags.ColorAttachmentOutputBit,
            DstAccessMask = AccessFlags.ColorAttachmentWriteBit,
        };
        var info = new RenderPassCreateInfo
        {
            SType = StructureType.RenderPassCreateInfo, AttachmentCount = 1, PAttachments = &color, SubpassCount = 1, PSubpasses = &subpass,
            DependencyCount = 1, PDependencies = &dependency,
        };
        VulkanDevice.Check(gpu.Vk.CreateRenderPass(gpu.Device, &info, null, out var pass), "creating the render pass");
        return pass;
    }

    private Pipeline CreatePipeline()
    {
        var vk = gpu.Vk;
        var vert = ShaderCode.CreateModule(gpu, "overlay.vert.spv");
        var frag = ShaderCode.CreateModule(gpu, "overlay.frag.spv");
        var entry = (byte*)SilkMarshal.StringToPtr("main");
        try
        {
            var stages = stackalloc PipelineShaderStageCreateInfo[2];
            stages[0] = new PipelineShaderStageCreateInfo { SType = StructureType.PipelineShaderStageCreateInfo, Stage = ShaderStageFlags.VertexBit, Module = vert, PName = entry };
            stages[1] = new PipelineShaderStageCreateInfo { SType = StructureType.PipelineShaderStageCreateInfo, Stage = ShaderStageFlags.FragmentBit, Module = frag, PName = entry };
            var vertexInput = new PipelineVertexInputStateCreateInfo { SType = StructureType.PipelineVertexInputStateCreateInfo };
            var assembly = new PipelineInputAssemblyStateCreateInfo { SType = StructureType.PipelineInputAssemblyStateCreateInfo, Topology = PrimitiveTopology.TriangleList };
            var viewport = new PipelineViewportStateCreateInfo { SType = StructureType.PipelineViewportStateCreateInfo, ViewportCount = 1, ScissorCount = 1 };
            var raster = new PipelineRasterizationStateCreateInfo
            {
                SType = StructureType.PipelineRasterizationStateCreateInfo, PolygonMode = PolygonMode.Fill, CullMode = CullModeFlags.None,
                FrontFace = FrontFace.CounterClockwise, LineWidth = 1,
            };
            var multisample = new PipelineMultisampleStateCreateInfo { SType = StructureType.PipelineMultisampleStateCreateInfo, RasterizationSamples = SampleCountFlags.Count1Bit };
            var attachment = new PipelineColorBlendAttachmentState
            {
                ColorWriteMask = ColorComponentFlags.RBit | ColorComponentFlags.GBit | ColorComponentFlags.BBit | ColorComponentFlags.ABit,
            };
            var blend = new PipelineColorBlendStateCreateInfo { SType = StructureType.PipelineColorBlendStateCreateInfo, AttachmentCount = 1, PAttachments = &attachment };
            var dynamicStates = stackalloc DynamicState[] { DynamicState.Viewport, DynamicState.Scissor };
            var dynamic = new PipelineDynamicStateCreateInfo { SType = StructureType.PipelineDynamicStateCreateInfo, DynamicStateCount = 2, PDynamicStates = dynamicStates };
            var info = new GraphicsPipelineCreateInfo
            {
                SType = StructureType.GraphicsPipelineCreateInfo, StageCount = 2, PStages = stages, PVertexInputState = &vertexInput,
                PInputAssemblyState = &assembly, PViewportState = &viewport, PRasterizationState = &raster, PMultisampleState = &multisample,
                PColorBlendState = &blend, PDynamicState = &dynamic, Layout = Layout, RenderPass = RenderPass, Subpass = 0,
            };
            VulkanDevice.Check(vk.CreateGraphicsPipelines(gpu.Device, default, 1, &info, null, out var pipeline), "creating the overlay pipeline");
            return pipeline;
        }
        finally
        {
            SilkMarshal.Free((nint)entry);
            vk.DestroyShaderModule(gpu.Device, vert, null);
            vk.DestroyShaderModule(gpu.Device, frag, null);
        }
    }

    public void Dispose()
    {
        var vk = gpu.Vk;
        vk.DestroyDescriptorPool(gpu.Device, pool, null);
        vk.DestroySampler(gpu.Device, sampler, null);
        vk.DestroyPipeline(gpu.Device, Pipeline, null);
        vk.DestroyPipelineLayout(gpu.Device, Layout, null);
        vk.DestroyDescriptorSetLayout(gpu.Device, setLayout, null);
        vk.DestroyRenderPass(gpu.Device, RenderPass, null);
    }
}
