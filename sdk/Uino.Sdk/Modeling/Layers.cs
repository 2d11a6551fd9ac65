using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Uino.Modeling;

/// <summary>
/// Every layer with weights and every parameter or buffer of Uino's networks is made here rather than with
/// <c>nn.*</c> or <c>new Parameter</c>, for what TorchSharp's factories do not do:
/// <list type="bullet">
/// <item>keep <see cref="Tensor.TotalCount"/> true (<see cref="MovedTensorCount"/>);</item>
/// <item>build on the meta device from a device argument (never the process-wide default device): an
/// <see cref="Embedding"/> would otherwise allocate and initialise its table on the CPU first;</item>
/// <item>let a network whose construction throws free what it had made (<see cref="LayerBuild"/>).</item>
/// </list>
/// Parameters and buffers are detached from any dispose scope around the construction: they belong to the module,
/// as TorchSharp's own layers do with their weights.
/// </summary>
internal static class Layers
{
    public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null) =>
        Made(() => nn.Linear(inputSize, outputSize, hasBias, device));

    public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
                                long groups = 1, bool bias = true, Device? device = null) =>
        Made(() => nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups: groups, bias: bias, device: device));

    public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long) stride,
                                (long, long) padding, bool bias = true, Device? device = null) =>
        Made(() => nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias: bias, device: device));

    public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride,
                                                  Device? device = null) =>
        Made(() => nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, device: device));

    public static LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, Device? device = null) =>
        Made(() => nn.LayerNorm(normalized_shape, eps, device: device));

    public static GroupNorm GroupNorm(long num_groups, long num_channels, Device? device = null) =>
        Made(() => nn.GroupNorm(num_groups, num_channels, device: device));

    public static Embedding Embedding(long num_embeddings, long embedding_dims, Device? device = null)
    {
        using var scope = NewDisposeScope();   // as in Made
        if (device?.type != DeviceType.META)
        {
            // Built natively: its weight is wrapped from the native handle, with no moved-from tensor to count back.
            var embedding = nn.Embedding(num_embeddings, embedding_dims, device: device);
            foreach (var p in embedding.parameters()) p.DetachFromDisposeScope();
            return LayerBuild.Record(embedding);
        }
        // The native constructor allocates and initialises the table on the CPU whatever the device (a huge
        // declared width would cost its full size): an empty table, then a meta weight of the real shape.
        var meta = nn.Embedding(0, 0);
        var empty = meta.parameters().ToList();
        meta.weight = Parameter(torch.empty(num_embeddings, embedding_dims, device: device));
        foreach (var p in empty) p.Dispose();
        return LayerBuild.Record(meta);
    }

    /// <summary>Wraps <paramref name="data"/>, which becomes empty, as a parameter.</summary>
    public static Parameter Parameter(Tensor data)
    {
        var parameter = new Parameter(data);
        MovedTensorCount.Forget(1);
        parameter.DetachFromDisposeScope();
        return LayerBuild.Record(parameter);
    }

    /// <summary>A tensor a module keeps as a buffer.</summary>
    public static Tensor Buffer(Tensor data) => LayerBuild.Record(data.DetachFromDisposeScope());

    /// <summary>A layer TorchSharp builds in managed code: each of its parameters leaves a moved-from tensor counted.</summary>
    private static T Made<T>(Func<T> make) where T : nn.Module
    {
        // TorchSharp's constructors hand temporaries to native code without keeping them referenced too (a
        // convolution's fan-in reads weight[0, 0].numel()): the scope holds them until the constructor returns,
        // else the finalizer can free one while the op reads it when networks are built on several threads.
        using var scope = NewDisposeScope();
        var layer = make();
        var parameters = layer.parameters().ToList();
        MovedTensorCount.Forget(parameters.Count);
        foreach (var p in parameters) p.DetachFromDisposeScope();
        foreach (var b in layer.buffers()) b.DetachFromDisposeScope();
        return LayerBuild.Record(layer);
    }
}

/// <summary>
/// TorchSharp 0.107 counts a tensor that becomes a <see cref="Parameter"/> twice. <c>new Parameter(t)</c> moves
/// <c>t</c>'s native handle into the parameter, leaving <c>t</c> empty, but <see cref="Tensor.TotalCount"/> is only
/// decremented when a tensor with a handle is disposed or finalised, so <c>t</c> stays counted forever. It holds no
/// memory (the native tensor is the parameter's alone and is freed with it: 40 parameters of 200 MB created and
/// disposed left the resident size flat), but every network built added its parameter count to the figure the soak
/// and the leak checks read: 285 per tiny model, including TorchSharp's own layers, which build their weights the
/// same way. <see cref="Layers"/> gives the count back for each parameter it makes.
/// </summary>
internal static class MovedTensorCount
{
    // The behaviour was read in this version's Parameter constructor and Tensor.MoveHandle; another version keeps
    // its own count until checked (LiveTensorTests fails if it still drifts).
    private static readonly bool Drifts = typeof(Tensor).Assembly.GetName().Version == new Version(0, 107, 0, 0);

    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "_totalCount")]
    private static extern ref long TotalCount(Tensor? _);

    public static void Forget(int movedFrom)
    {
        if (Drifts && movedFrom > 0) Interlocked.Add(ref TotalCount(null), -movedFrom);
    }
}

/// <summary>
/// Remembers the layers, parameters and buffers <see cref="Layers"/> makes on this thread while a network is
/// constructed, and disposes them unless <see cref="Complete"/> was called: a constructor that throws half-way
/// (a width libtorch refuses) would otherwise leave them to the garbage collector. Nested builds hand what they
/// made to the enclosing one when they complete.
/// </summary>
internal sealed class LayerBuild : IDisposable
{
    [ThreadStatic] private static LayerBuild? current;
    private readonly LayerBuild? outer;
    private readonly List<IDisposable> made = [];
    private bool completed;

    public LayerBuild()
    {
        outer = current;
        current = this;
    }

    public static T Record<T>(T item) where T : IDisposable
    {
        current?.made.Add(item);
        return item;
    }

    public void Complete() => completed = true;

    public void Dispose()
    {
        current = outer;
        if (completed)
        {
            outer?.made.AddRange(made);
            return;
        }
        for (int i = made.Count - 1; i >= 0; i--) made[i].Dispose();
    }
}
