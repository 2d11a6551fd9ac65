namespace Uino.Viewer;

/// <summary>
/// A problem the user can fix (bad argument, no camera, no display, no Vulkan device). The program prints its
/// message alone and exits non-zero; anything else is a bug and is reported as such.
/// </summary>
internal sealed class ViewerException(string message, Exception? inner = null) : Exception(message, inner);
