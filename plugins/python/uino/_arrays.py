"""NumPy arrays <-> the C ABI's pixel buffers (UinoImage, masks), checked before any pointer reaches C: the
library cannot tell how many bytes a pointer really has."""
import numpy as np

from ._library import Image
from .errors import Code, InvalidArgumentError

# format name -> (UinoPixelFormat, channels)
FORMATS = {"rgb": (0, 3), "bgr": (1, 3), "rgba": (2, 4), "bgra": (3, 4), "gray": (4, 1)}
_DEFAULT_BY_CHANNELS = {1: "gray", 3: "rgb", 4: "rgba"}


def _invalid(message):
    return InvalidArgumentError(Code.INVALID_ARGUMENT, message)


def _rows_contiguous(a, pixel_bytes):
    """C needs pixels packed within a row; rows may be farther apart (a crop of a bigger array is fine)."""
    inner = a.strides[1:] == ((pixel_bytes, 1) if a.ndim == 3 else (1,))
    return inner and a.strides[0] >= a.shape[1] * pixel_bytes


def image(array, format=None):
    """(UinoImage, the array it points into) for an H x W x C (or H x W grey) uint8 array."""
    a = np.asarray(array)
    if a.dtype != np.uint8:
        raise _invalid(f"images must be uint8 arrays, got {a.dtype}")
    if a.ndim == 2:
        channels = 1
    elif a.ndim == 3 and a.shape[2] in (1, 3, 4):
        channels = a.shape[2]
    else:
        raise _invalid(f"images must be H x W x 3 (or x 4, or H x W grey) arrays, got shape {a.shape}")
    name = (format or _DEFAULT_BY_CHANNELS[channels]).lower()
    if name not in FORMATS:
        raise _invalid(f"unknown format '{format}'; use one of {', '.join(FORMATS)}")
    code, wanted = FORMATS[name]
    if wanted != channels:
        raise _invalid(f"format '{name}' has {wanted} channel(s) but the array has {channels} (shape {a.shape})")
    if a.ndim == 3 and channels == 1:
        a = a[:, :, 0]
    if not _rows_contiguous(a, channels):
        a = np.ascontiguousarray(a)
    return Image(a.ctypes.data, a.shape[1], a.shape[0], a.strides[0], code), a


def mask_in(mask, height, width):
    """(pointer, stride, array) of an H x W mask (nonzero = object; bool or any integer dtype)."""
    m = np.asarray(mask)
    if m.shape != (height, width):
        raise _invalid(f"the mask is {m.shape} but the image is {(height, width)} (H x W)")
    if m.dtype != np.uint8:
        m = (m != 0).astype(np.uint8)
    if not _rows_contiguous(m, 1):
        m = np.ascontiguousarray(m)
    return m.ctypes.data, m.strides[0], m


def mask_out(out, height, width):
    """An H x W uint8 array libuino may write into: `out` checked, or a new one."""
    if out is None:
        return np.empty((height, width), np.uint8)
    if not isinstance(out, np.ndarray) or out.dtype != np.uint8 or out.shape != (height, width):
        raise _invalid(f"out must be a uint8 array of shape {(height, width)}")
    if not out.flags.writeable or not _rows_contiguous(out, 1):
        raise _invalid("out must be writeable with contiguous rows")
    return out
