using System.Diagnostics;
using TorchSharp;
using Uino.Checkpoints;
using Uino.Modeling.ResNet;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// The frozen ResNet-18 encoder at one input size: the module as loaded, and with every
/// BatchNorm folded into its convolution (the same arithmetic, one op fewer per conv). Medians of Stopwatch times.
/// </summary>
internal static class ResNetProfile
{
    public static void Run(int size, int reps)
    {
        using var net = ResNetWeights.Load();
        net.eval();
        using var mode = inference_mode();
        using var x = randn(1, 3, size, size).mul_(50f.ToScalar());
        var folded = Fold(net);
        Console.WriteLine($"ResNet-18 stages 1-4 at {size}px, {get_num_threads()} thread(s), median of {reps}:");
        Console.WriteLine($"  module                {Time(() => net.ForwardFeatures(x).Dispose(), reps):F1} ms");
        Console.WriteLine($"  BatchNorm folded      {Time(() => FoldedForward(folded, x).Dispose(), reps):F1} ms");
        using var a = net.ForwardFeatures(x);
        using var b = FoldedForward(folded, x);
        Console.WriteLine($"  folded max |diff| {(a.Last - b).abs().max().item<float>():E2} of max {a.Last.abs().max().item<float>():F2}");
    }

    private static double Time(Action f, int reps)
    {
        f(); f();
        var t = new List<double>();
        for (int i = 0; i < reps; i++) { var sw = Stopwatch.StartNew(); f(); t.Add(sw.Elapsed.TotalMilliseconds); }
        t.Sort();
        return t[t.Count / 2];
    }

    private sealed record Conv(Tensor W, Tensor B, long Stride, long Pad);

    private static List<Conv> Fold(ResNet net)
    {
        var sd = net.state_dict();
        Conv F(string conv, string bn, long stride, long pad)
        {
            var scale = sd[bn + ".weight"] / (sd[bn + ".running_var"] + 1e-5).sqrt();
            var w = (sd[conv + ".weight"] * scale.reshape(-1, 1, 1, 1)).contiguous();
            var b = sd[bn + ".bias"] - sd[bn + ".running_mean"] * scale;
            return new Conv(w, b, stride, pad);
        }
        var list = new List<Conv> { F("conv1", "bn1", 2, 3) };
        int[] blocks = [2, 2, 2, 3];
        for (int s = 1; s <= 4; s++)
            for (int i = 0; i < blocks[s - 1]; i++)
            {
                string p = $"layer{s}.{i}";
                long stride = i == 0 && s > 1 ? 2 : 1;
                list.Add(F(p + ".conv1", p + ".bn1", stride, 1));
                list.Add(F(p + ".conv2", p + ".bn2", 1, 1));
                list.Add(i == 0 && s > 1 ? F(p + ".downsample.0", p + ".downsample.1", 2, 0) : null!);
            }
        return list;
    }

    private static Tensor FoldedForward(List<Conv> c, Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor Apply(Conv k, Tensor t) => nn.functional.conv2d(t, k.W, k.B, strides: [k.Stride, k.Stride], padding: [k.Pad, k.Pad]);
        var h = nn.functional.max_pool2d(Apply(c[0], x).relu_(), 3, stride: 2, padding: 1);
        for (int j = 1; j < c.Count; j += 3)
        {
            var y = Apply(c[j], h).relu_();
            y = Apply(c[j + 1], y);
            var sc = c[j + 2] is null ? h : Apply(c[j + 2], h);
            h = y.add_(sc).relu_();
        }
        return h.MoveToOuterDisposeScope();
    }
}
