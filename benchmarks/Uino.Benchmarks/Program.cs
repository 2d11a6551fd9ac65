using BenchmarkDotNet.Running;
using Uino.Benchmarks;
using static TorchSharp.torch;

// Usage:
//   Uino.Benchmarks profile [embedded|vitb518] [reps] [threads]   the MHCM's sub-step breakdown (Stopwatch, medians)
//   Uino.Benchmarks encoder [reps] [threads]                     DINOv2 ViT-B at 518: the module vs bare functional blocks
//   Uino.Benchmarks resnet [size] [reps] [threads]                the frozen ResNet-18: module vs BatchNorm folded
//   Uino.Benchmarks scan [embedded|vitb518] [reps]                the inference selective scan alone (CPU and wall time)
//   Uino.Benchmarks throughput [frames]                          embedded model: 1 stream × 2 threads vs 2 streams × 1
//   Uino.Benchmarks [BenchmarkDotNet arguments]                    micro-benchmarks: scan, partition/cross-scan, correlation
if (args.Length > 0 && args[0] == "profile")
{
    var c = MhcmCase.ByName(args.Length > 1 ? args[1] : "embedded");
    int reps = args.Length > 2 ? int.Parse(args[2]) : 7;
    if (args.Length > 3) set_num_threads(int.Parse(args[3]));
    MhcmProfile.Run(c, reps, warmup: 1);
    return;
}
if (args.Length > 0 && args[0] == "encoder")
{
    if (args.Length > 2) set_num_threads(int.Parse(args[2]));
    EncoderProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 5, warmup: 2);
    return;
}
if (args.Length > 0 && args[0] == "resnet")
{
    set_num_threads(args.Length > 3 ? int.Parse(args[3]) : 1);
    ResNetProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 288, args.Length > 2 ? int.Parse(args[2]) : 15);
    return;
}
if (args.Length > 0 && args[0] == "scan")
{
    set_num_threads(1);
    ScanProfile.Run(args.Length > 1 ? args[1] : "embedded", args.Length > 2 ? int.Parse(args[2]) : 20);
    return;
}
if (args.Length > 0 && args[0] == "throughput")
{
    Throughput.Run(args.Length > 1 ? int.Parse(args[1]) : 30);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(MhcmCase).Assembly).Run(args);
