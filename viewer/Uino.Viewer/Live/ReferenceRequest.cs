using OpenCvSharp;

namespace Uino.Viewer.Live;

internal enum ReferenceAction { Replace, Add, Clear }

/// <summary>
/// A change of the references, applied by the inference thread between two frames so that encoding a reference
/// never stalls the display. The request owns <see cref="Image"/> (BGR) and disposes it once applied.
/// </summary>
internal sealed record ReferenceRequest(ReferenceAction Action, Mat? Image = null, byte[]? Mask = null);
