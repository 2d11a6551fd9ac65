using Uino.Hardening.Child;

// Usage (see each class):
//   write-checkpoint DIR          training checkpoints in a loop, "saved N" after each (to be killed)
//   write-output DIR              mask PNGs through AtomicFile in a loop, "saved N" after each (to be killed)
//   soak MINUTES CSV [tiny|default] [INTERVAL_S]   the live API path with RSS/fd/thread samples
//   tiny-model PATH [INPUT_SIZE]  writes a tiny random Uino model (the C harness's model)
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Uino.Hardening.Child write-checkpoint DIR | write-output DIR | soak MINUTES CSV [tiny|default] [INTERVAL_S] | tiny-model PATH [INPUT_SIZE]");
    return 2;
}
switch (args[0])
{
    case "write-checkpoint": CheckpointLoop.Run(args[1]); return 0;
    case "write-output": OutputLoop.Run(args[1]); return 0;
    case "soak": return Soak.Run(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args[2],
                                 args.Length > 3 ? args[3] : "default", args.Length > 4 ? int.Parse(args[4]) : 10);
    case "tiny-model": TinyModelFile.Save(args[1], seed: 11, inputSize: args.Length > 2 ? int.Parse(args[2]) : TinyModelFile.InputSize); return 0;
    default: Console.Error.WriteLine($"unknown mode '{args[0]}'"); return 2;
}
