namespace Uino.Modeling;

/// <summary>
/// Where the network marks its stages ("encoder", "hypercorrelation", an HGMB's sub-steps, …) for whoever listens on
/// the calling thread: <c>uino bench</c> and the benchmarks attach a clock (<see cref="Listen"/>); the network holds
/// none and pays one thread-static read per stage when nobody listens. Per thread, since only the calling thread's
/// work is timed, and ambient, so the modules' forward signatures stay those of the official code.
/// </summary>
internal static class Stages
{
    [ThreadStatic] private static IStageListener? listener;

    /// <summary>Marks the start of <paramref name="name"/>; disposing the scope marks its end.</summary>
    public static Scope Begin(string name) => new(listener, name);

    /// <summary>Listens to this thread's stages until the returned scope is disposed (then the previous listener again).</summary>
    public static Listening Listen(IStageListener? stageListener)
    {
        var previous = listener;
        listener = stageListener;
        return new Listening(previous);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly IStageListener? target;
        private readonly string name;
        private readonly long token;

        internal Scope(IStageListener? target, string name)
        {
            this.target = target;
            this.name = name;
            token = target?.Began(name) ?? 0;
        }

        public void Dispose() => target?.Ended(name, token);
    }

    public readonly struct Listening(IStageListener? previous) : IDisposable
    {
        public void Dispose() => listener = previous;
    }
}

/// <summary>Receives the stage marks of <see cref="Stages"/> (a clock, in the SDK's bench).</summary>
internal interface IStageListener
{
    /// <summary>A stage began; the returned token comes back with <see cref="Ended"/>.</summary>
    long Began(string name);

    /// <summary>The stage begun with <paramref name="token"/> ended.</summary>
    void Ended(string name, long token);
}
