namespace Uino.Hardening.Fuzz;

/// <summary>
/// One thing to fuzz: its seed files, how a <see cref="FuzzCase"/> turns a seed into an input, how an input file is
/// loaded, and which exceptions the loader documents. The property: loading any input either succeeds or throws a
/// documented exception whose message names the file, and returns within <see cref="SlowSeconds"/>.
/// </summary>
internal sealed record FuzzTarget(
    string Name,
    IReadOnlyList<string> Seeds,
    Func<byte[], FuzzCase, byte[]> Mutate,
    Action<string> Load,
    Func<Exception, bool> IsDocumented,
    string Documented)
{
    /// <summary>Longer than this for one small input counts as a hang (the seeds load in milliseconds).</summary>
    public double SlowSeconds { get; init; } = 20;

    /// <summary>Fresh iterations in CI (overridden by UINO_FUZZ_ITER; UINO_FUZZ_SECONDS runs for a time instead).</summary>
    public int CiIterations { get; init; } = 3000;

    /// <summary>True when every error message must contain the input's file name (file loaders name the file).</summary>
    public bool MessageNamesFile { get; init; } = true;
}
