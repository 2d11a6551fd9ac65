using OpenCvSharp;
using SixLabors.ImageSharp;
using Uino.Checkpoints;
using Uino.Training.Data;

namespace Uino.Cli.Commands;

/// <summary>
/// The command line's one error handler: every command runs its action through <see cref="Run"/>, so any failure is
/// one line on stderr naming the command, and exit code 1 — never a stack trace.
/// </summary>
internal static class CommandErrors
{
    /// <summary>
    /// The library's errors name settings; where a phrase of a message names one, the CLI adds the flag that sets it
    /// (the first occurrence only).
    /// </summary>
    private static readonly (string Setting, string Flag)[] SettingFlags =
    [
        ("the DINOv2 checkpoint", "--dinov2"),
        ("the stage-1 adapter", "--adapter"),
        ("the initial model", "--init"),
        ("an initial model", "--init"),
        ("from-scratch training", "--from-scratch"),
        ("the support grid", "--support-grid"),
        ("the SVP dropout", "--svp-dropout"),
        ("the shots per episode", "--shots"),
        ("the batch size", "--batch"),
        ("the number of episodes", "--episodes"),
        ("extra classes", "--extra-classes"),
        ("hard distractors", "--hard-distractors"),
        ("the hard-distractor chance", "--hard-distractors"),
        ("the instance fraction", "--instance-fraction"),
        ("comparing both dense prompts", "--dense-prompt both"),
        ("the data root", "--root"),
        ("a new output folder", "--out"),
        ("the stage sizes", "--stages"),
    ];

    /// <summary>Runs a command's action; an exception becomes <see cref="Fail"/> (an expected kind) or <see cref="FailUnexpected"/>.</summary>
    public static int Run(string command, Func<int> action)
    {
        try { return action(); }
        catch (Exception e) when (IsExpected(e)) { return Fail(command, e); }
        catch (Exception e) { return FailUnexpected(command, e); }
    }

    /// <summary>Bad input, a missing or unreadable file, a refused setting: reported by its message alone.</summary>
    public static bool IsExpected(Exception e) =>
        e is UinoException or CheckpointException or DatasetException or ArgumentException or FormatException or IOException
          or UnauthorizedAccessException or InvalidOperationException or ImageFormatException or OpenCVException;

    /// <summary>Reports an expected failure (bad input, missing file, …) by its message.</summary>
    public static int Fail(string command, Exception e)
    {
        Console.Error.WriteLine($"uino {command}: {WithFlags(OneLine(e.Message))}");
        return 1;
    }

    /// <summary>Reports anything else without a stack trace; the exception type says where to look.</summary>
    public static int FailUnexpected(string command, Exception e)
    {
        Console.Error.WriteLine($"uino {command}: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
        return 1;
    }

    /// <summary>"the support grid must be …" → "the support grid (--support-grid) must be …".</summary>
    internal static string WithFlags(string message)
    {
        foreach (var (setting, flag) in SettingFlags)
        {
            int i = message.IndexOf(setting, StringComparison.Ordinal);
            if (i < 0 || message.Contains(flag, StringComparison.Ordinal)) continue;
            int end = i + setting.Length;
            message = message[..end] + $" ({flag})" + message[end..];
        }
        return message;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
