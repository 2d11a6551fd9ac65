using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Uino.Modeling.ResNet;
using static TorchSharp.torch;

namespace Uino.Checkpoints;

/// <summary>
/// Reads the weights of the ImageNet ResNet-18 ONNX model of NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (a CNTK 2.6 export, opset 8) into <see cref="ResNet"/>'s
/// torchvision-style state_dict keys. The initializers have generic names (<c>Parameter91</c>, BatchNorm statistics
/// <c>Constant98</c>, …) and in node order a stage's shortcut convolution comes before its main-path one, so the
/// weights are mapped by following the graph from its input: stem Conv → BatchNormalization → Relu → MaxPool, then
/// per block the convolution(s) reading the block input: the one whose BatchNormalization feeds the Add directly is
/// the shortcut (<c>downsample</c>), the other starts conv1 → bn1 → Relu → conv2 → bn2 → Add → Relu. A block with a
/// shortcut starts a new stage; the graph ends with an AveragePool. Kernels, strides and the leading pads are
/// checked against the port's (the export's trailing pads are smaller than the leading ones, which gives the same
/// numbers at the graph's fixed 224×224).
/// </summary>
internal static class OnnxResNet
{
    /// <summary>Every tensor of the model as <see cref="ResNet"/> state_dict keys (CPU, float32).</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="expected">The architecture the graph must have (default <see cref="ResNetConfig.Cntk18"/>).</param>
    /// <exception cref="CheckpointException">The file is missing, not ONNX, or not this network; the message says why.</exception>
    public static Dictionary<string, Tensor> Load(string path, ResNetConfig? expected = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        expected ??= ResNetConfig.Cntk18;
        ModelProto model;
        using (var stream = CheckpointPaths.OpenRead(path))
        {
            if (stream.Length == 0) throw new CheckpointException($"Checkpoint '{path}' is empty.");
            try { model = ModelProto.Parser.ParseFrom(stream); }
            catch (InvalidProtocolBufferException e)
            {
                throw new CheckpointException($"'{path}' is not an ONNX model (it does not parse as one: {e.Message}).", e);
            }
        }
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var found = new GraphWalk(model, mapped).Run();
            if (!found.BlocksPerStage.SequenceEqual(expected.BlocksPerStage) || !found.Channels.SequenceEqual(expected.Channels))
                throw new NotThisNetwork($"it has blocks per stage [{string.Join(", ", found.BlocksPerStage)}] and widths " +
                                         $"[{string.Join(", ", found.Channels)}], expected {expected}");
            return mapped;
        }
        catch (NotThisNetwork e)
        {
            foreach (var t in mapped.Values) t.Dispose();
            throw new CheckpointException(
                $"'{path}' is not the ImageNet ResNet-18 of NuGet package {ResNetWeights.PackageId} {ResNetWeights.PackageVersion}: {e.Message}.");
        }
    }

    private sealed class NotThisNetwork(string message) : Exception(message);

    /// <summary>Follows the graph from its image input, filling the state_dict as it recognises each layer.</summary>
    private sealed class GraphWalk
    {
        private readonly GraphProto graph;
        private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Tensor> state;

        public GraphWalk(ModelProto model, Dictionary<string, Tensor> state)
        {
            graph = model.Graph ?? throw new NotThisNetwork("it has no graph");
            if (graph.Node.Count == 0) throw new NotThisNetwork("its graph has no nodes");
            foreach (var t in graph.Initializer) initializers[t.Name] = t;
            foreach (var node in graph.Node)
                foreach (var input in node.Input.Distinct())
                {
                    if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                    list.Add(node);
                }
            this.state = state;
        }

        public ResNetConfig Run()
        {
            var inputs = graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n)).ToList();
            if (inputs.Count != 1) throw new NotThisNetwork($"it has {inputs.Count} image inputs, expected 1");
            var stem = Only(inputs[0], "Conv", $"graph input '{inputs[0]}'");
            var stemChannels = Conv(stem, "conv1", kernel: 7, stride: 2, inChannels: 3);
            var stemBn = Next(stem, "BatchNormalization");
            BatchNorm(stemBn, "bn1", stemChannels);
            var pool = Next(Next(stemBn, "Relu"), "MaxPool");
            if (!Ints(pool, "kernel_shape").SequenceEqual([3L, 3]) || !Ints(pool, "strides").SequenceEqual([2L, 2]))
                throw new NotThisNetwork($"its stem max-pool '{pool.Name}' is not 3×3 with stride 2");

            var blocksPerStage = new List<int>();
            var channels = new List<int>();
            var x = pool.Output[0];
            long width = stemChannels;
            while (true)
            {
                var readers = consumers.GetValueOrDefault(x) ?? [];
                if (readers.Count == 1 && readers[0].OpType == "AveragePool")
                {
                    if (!graph.Output.Any(o => o.Name == readers[0].Output[0]))
                        throw new NotThisNetwork($"its final average pool '{readers[0].Name}' is not the graph output");
                    break;
                }
                var convs = readers.Where(n => n.OpType == "Conv").ToList();
                var adds = readers.Where(n => n.OpType == "Add").ToList();
                NodeProto main;
                NodeProto? shortcut = null;
                if (convs.Count == 1 && adds.Count == 1 && readers.Count == 2) main = convs[0];
                else if (convs.Count == 2 && readers.Count == 2)
                {
                    // The shortcut's BatchNormalization feeds the Add directly; the main path's feeds a Relu.
                    var feedsAdd = convs.Where(c => Next(c, "BatchNormalization") is var bn &&
                                                    consumers.GetValueOrDefault(bn.Output[0]) is [{ OpType: "Add" }]).ToList();
                    if (feedsAdd.Count != 1)
                        throw new NotThisNetwork($"of the two convolutions reading '{x}', {feedsAdd.Count} lead straight to the residual Add, expected 1");
                    shortcut = feedsAdd[0];
                    main = convs.Single(c => c != shortcut);
                }
                else
                    throw new NotThisNetwork($"'{x}' is read by [{string.Join(", ", readers.Select(n => $"{n.OpType} {n.Name}"))}], " +
                                             "not by a residual block (one Conv and the Add, or two Convs) nor the final AveragePool");

                if (shortcut is not null || blocksPerStage.Count == 0)
                {
                    blocksPerStage.Add(0);
                    channels.Add(checked((int)Dims(main)[0]));
                }
                var stage = blocksPerStage.Count;
                var index = blocksPerStage[^1]++;
                var prefix = string.Create(CultureInfo.InvariantCulture, $"layer{stage}.{index}.");
                long stride = shortcut is null ? 1 : Ints(main, "strides")[0];
                long c = Conv(main, prefix + "conv1", kernel: 3, stride: stride, inChannels: width);
                var bn1 = Next(main, "BatchNormalization");
                BatchNorm(bn1, prefix + "bn1", c);
                var conv2 = Next(Next(bn1, "Relu"), "Conv");
                Conv(conv2, prefix + "conv2", kernel: 3, stride: 1, inChannels: c);
                var bn2 = Next(conv2, "BatchNormalization");
                BatchNorm(bn2, prefix + "bn2", c);
                var add = Next(bn2, "Add");
                string other;
                if (shortcut is null)
                {
                    if (c != width) throw new NotThisNetwork($"block {prefix.TrimEnd('.')} changes the width {width} → {c} without a shortcut convolution");
                    other = x;
                }
                else
                {
                    Conv(shortcut, prefix + "downsample.0", kernel: 1, stride: stride, inChannels: width, outChannels: c);
                    var bnShort = Next(shortcut, "BatchNormalization");
                    BatchNorm(bnShort, prefix + "downsample.1", c);
                    other = bnShort.Output[0];
                }
                if (add.Input.Count != 2 || !add.Input.Contains(bn2.Output[0]) || !add.Input.Contains(other))
                    throw new NotThisNetwork($"the residual Add '{add.Name}' does not sum block {prefix.TrimEnd('.')}'s two paths");
                x = Next(add, "Relu").Output[0];
                width = c;
            }
            if (blocksPerStage.Count == 0) throw new NotThisNetwork("it has no residual blocks");
            return new ResNetConfig("onnx", blocksPerStage, channels);
        }

        // The single node reading node's (first) output, which must be an `op`.
        private NodeProto Next(NodeProto node, string op) => Only(node.Output[0], op, $"{node.OpType} '{node.Name}'");

        private NodeProto Only(string tensor, string op, string after)
        {
            var readers = consumers.GetValueOrDefault(tensor) ?? [];
            if (readers.Count != 1 || readers[0].OpType != op)
                throw new NotThisNetwork($"{after} is followed by [{string.Join(", ", readers.Select(n => n.OpType))}], expected one {op}");
            return readers[0];
        }

        // A bias-free Conv; stores its weight under key.weight and returns its output width.
        private long Conv(NodeProto conv, string key, long kernel, long stride, long inChannels, long? outChannels = null)
        {
            if (conv.Input.Count != 2) throw new NotThisNetwork($"convolution '{conv.Name}' ({key}) has a bias or no weight");
            var dims = Dims(conv);
            long pad = kernel / 2;
            var pads = Ints(conv, "pads");
            var group = conv.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
            var dilations = Ints(conv, "dilations");
            if (dims.Length != 4 || dims[1] != inChannels || dims[2] != kernel || dims[3] != kernel ||
                (outChannels is long o && dims[0] != o) || !Ints(conv, "strides").SequenceEqual([stride, stride]) ||
                group != 1 || dilations.Any(d => d != 1) || (pads.Length == 4 && (pads[0] != pad || pads[1] != pad)))
                throw new NotThisNetwork(
                    $"convolution '{conv.Name}' ({key}) has weight [{string.Join(", ", dims)}], strides [{string.Join(", ", Ints(conv, "strides"))}], " +
                    $"pads [{string.Join(", ", pads)}], expected a {kernel}×{kernel} kernel over {inChannels} channels with stride {stride} and leading pad {pad}");
            state[key + ".weight"] = Read(conv.Input[1], key + ".weight");
            return dims[0];
        }

        // BatchNormalization(X, scale, B, mean, var) with eps 1e-5 (the port's) over `channels` channels.
        private void BatchNorm(NodeProto bn, string key, long channels)
        {
            if (bn.Input.Count != 5) throw new NotThisNetwork($"BatchNormalization '{bn.Name}' ({key}) has {bn.Input.Count} inputs, expected 5");
            var eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            if (Math.Abs(eps - 1e-5) > 1e-9) throw new NotThisNetwork($"BatchNormalization '{bn.Name}' ({key}) has epsilon {eps}, expected 1e-5");
            string[] names = ["weight", "bias", "running_mean", "running_var"];
            for (var i = 0; i < 4; i++)
            {
                var t = Read(bn.Input[i + 1], $"{key}.{names[i]}");
                state[$"{key}.{names[i]}"] = t;
                if (t.dim() != 1 || t.shape[0] != channels)
                    throw new NotThisNetwork($"BatchNormalization '{bn.Name}' ({key}.{names[i]}) is [{string.Join(", ", t.shape)}], expected [{channels}]");
            }
        }

        private long[] Dims(NodeProto conv) =>
            initializers.TryGetValue(conv.Input[1], out var w)
                ? w.Dims.ToArray()
                : throw new NotThisNetwork($"convolution '{conv.Name}' takes its weight '{conv.Input[1]}' from another node, not a stored tensor");

        private static long[] Ints(NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray() ?? [];

        // A float32 initializer as a CPU tensor (float_data or little-endian raw_data).
        private Tensor Read(string name, string key)
        {
            if (!initializers.TryGetValue(name, out var t))
                throw new NotThisNetwork($"{key} ('{name}') is not a stored tensor");
            if (t.DataType != (int)TensorProto.Types.DataType.Float)
                throw new NotThisNetwork($"{key} ('{name}') is of ONNX data type {t.DataType}, expected float32");
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
                throw new NotThisNetwork($"{key} ('{name}') is stored in an external file, which is not read");
            var dims = t.Dims.ToArray();
            long count = dims.Aggregate(1L, (a, b) => a * b);
            float[] values;
            if (t.RawData.Length > 0)
            {
                if (t.RawData.Length != count * sizeof(float) || !BitConverter.IsLittleEndian)
                    throw new NotThisNetwork($"{key} ('{name}') holds {t.RawData.Length} bytes for shape [{string.Join(", ", dims)}]");
                values = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
            }
            else
            {
                if (t.FloatData.Count != count)
                    throw new NotThisNetwork($"{key} ('{name}') holds {t.FloatData.Count} values for shape [{string.Join(", ", dims)}]");
                values = new float[count];
                t.FloatData.CopyTo(values, 0);
            }
            return tensor(values, dims).DetachFromDisposeScope();
        }
    }
}
