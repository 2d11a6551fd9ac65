using System.Diagnostics;
using Uino.Modeling.Dinov2;
using static TorchSharp.torch;

namespace Uino.Benchmarks;

/// <summary>
/// `encoder`: the DINOv2 ViT-B/14 encoder at 518 px (1370 tokens, ≈302 GFLOP) under inference mode, against the
/// same twelve blocks written as bare functional ops (linear, SDPA, GELU, LayerNorm): the yardstick. If the
/// two differ, the module code adds overhead; if both are slow, the machine or libtorch's threading is the cause.
/// </summary>
internal static class EncoderProfile
{
    // Per block: qkv 3C², proj C², fc1+fc2 8C² MACs per token, plus attention 2·N·C per token: ×2 for FLOPs.
    private static double Gflop(long n, long c, long depth) => 2.0 * depth * n * (12.0 * c * c + 2.0 * n * c) / 1e9;

    public static void Run(int reps, int warmup)
    {
        using var mode = inference_mode();
        manual_seed(0);
        var config = Dinov2Config.Vitb14;
        using var encoder = new DinoVisionTransformer(config);
        encoder.eval();
        using var images = randn(1, 3, 518, 518);
        int[] lastThree = [config.Depth - 3, config.Depth - 2, config.Depth - 1];
        long n = 1 + 37 * 37, c = config.EmbedDim;
        double gflop = Gflop(n, c, config.Depth);

        var module = Time(reps, warmup, () => { foreach (var t in encoder.GetIntermediateLayers(images, lastThree)) t.Dispose(); });
        using var tokens = randn(1, n, c);
        var bare = Time(reps, warmup, () => BareBlocks(encoder, tokens).Dispose());

        Console.WriteLine($"DINOv2 {config.Name} at 518 px ({n} tokens, {gflop:F0} GFLOP), torch threads {get_num_threads()}, {reps} reps (median [min–max]):");
        Report("module (GetIntermediateLayers)", module, gflop);
        Report("bare functional blocks", bare, gflop);
    }

    // The twelve blocks as functional ops on the module's own weights: no dispose scopes, no module dispatch.
    private static Tensor BareBlocks(DinoVisionTransformer encoder, Tensor x)
    {
        using var scope = NewDisposeScope();
        long heads = encoder.Config.NumHeads, c = encoder.Config.EmbedDim, n = x.shape[1];
        foreach (var b in encoder.blocks)
        {
            var h = nn.functional.layer_norm(x, [c], b.norm1.weight, b.norm1.bias, 1e-6);
            var qkv = nn.functional.linear(h, b.attn.qkv.weight!, b.attn.qkv.bias).reshape(1, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4);
            var o = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]).transpose(1, 2).reshape(1, n, c);
            x = x + nn.functional.linear(o, b.attn.proj.weight!, b.attn.proj.bias);
            h = nn.functional.layer_norm(x, [c], b.norm2.weight, b.norm2.bias, 1e-6);
            h = nn.functional.linear(nn.functional.gelu(nn.functional.linear(h, b.mlp.fc1.weight!, b.mlp.fc1.bias)), b.mlp.fc2.weight!, b.mlp.fc2.bias);
            x = x + h;
        }
        return x.MoveToOuterDisposeScope();
    }

    private static List<double> Time(int reps, int warmup, Action run)
    {
        var times = new List<double>();
        for (int i = 0; i < warmup + reps; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            if (i >= warmup) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static void Report(string name, List<double> ms, double gflop)
    {
        double median = MhcmProfile.Median(ms);
        Console.WriteLine($"  {name,-32} {median,8:F0} ms [{ms.Min():F0}–{ms.Max():F0}]  {gflop / (median / 1000):F0} GFLOP/s");
    }
}
