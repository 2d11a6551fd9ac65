using Silk.NET.Vulkan;

namespace Uino.Viewer.Rendering;

/// <summary>Loads the SPIR-V embedded in the assembly (built from <c>Shaders/*.glsl</c> by <c>build-shaders.sh</c>).</summary>
internal static unsafe class ShaderCode
{
    public static byte[] Read(string name)
    {
        using var s = typeof(ShaderCode).Assembly.GetManifestResourceStream(name)
                      ?? throw new InvalidOperationException($"The shader {name} is not embedded in the viewer assembly.");
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }

    public static ShaderModule CreateModule(VulkanDevice gpu, string name)
    {
        var code = Read(name);
        fixed (byte* p = code)
        {
            var info = new ShaderModuleCreateInfo { SType = StructureType.ShaderModuleCreateInfo, CodeSize = (nuint)code.Length, PCode = (uint*)p };
            VulkanDevice.Check(gpu.Vk.CreateShaderModule(gpu.Device, &info, null, out var module), $"creating the shader {name}");
            return module;
        }
    }
}
