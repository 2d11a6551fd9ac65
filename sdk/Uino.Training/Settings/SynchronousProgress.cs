namespace Uino.Training.Settings;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler at once, on the reporting thread. The library reports
/// progress synchronously from its work loop; <see cref="Progress{T}"/> would post the reports elsewhere, late.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
