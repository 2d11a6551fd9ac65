"""Finding, loading and declaring libuino.so (the C ABI of native-interop/include/uino.h, API version 1).

Where the library is looked for, first match wins:
  1. UINO_LIBRARY, when set: the path of libuino.so itself, or of a directory holding it (an install prefix, or
     its lib/ directory). When it is set nothing else is tried, so a wrong value is reported, not papered over.
  2. "libuino.so" through the system's dynamic loader (LD_LIBRARY_PATH, the ldconfig cache: e.g. an install to
     /usr/local after `ldconfig`).
  3. The lib/ directory of the usual install prefixes: this Python's prefix, /usr/local, /opt/uino.
libuino.so finds the libtorch libraries beside it by itself (runpath $ORIGIN).
"""
import ctypes
import os
import sys
import threading

from .errors import LibraryError, error_for

API_VERSION = 1
ENV_VAR = "UINO_LIBRARY"
LIBRARY_NAME = "libuino.so"
DEFAULT_PREFIXES = (sys.prefix, "/usr/local", "/opt/uino")


class Image(ctypes.Structure):
    """UinoImage."""
    _fields_ = [("data", ctypes.c_void_p), ("width", ctypes.c_int32), ("height", ctypes.c_int32),
                ("stride_bytes", ctypes.c_int32), ("format", ctypes.c_int32)]


class SessionOptions(ctypes.Structure):
    """UinoSessionOptions."""
    _fields_ = [("struct_size", ctypes.c_uint32), ("model_path", ctypes.c_char_p), ("device", ctypes.c_char_p),
                ("num_threads", ctypes.c_int32)]


_lock = threading.Lock()
_lib = None


def _in_directory(path):
    for candidate in (os.path.join(path, LIBRARY_NAME), os.path.join(path, "lib", LIBRARY_NAME)):
        if os.path.isfile(candidate):
            return candidate
    return os.path.join(path, LIBRARY_NAME)


def candidates():
    """The paths (or bare name) tried, in order."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return [_in_directory(explicit) if os.path.isdir(explicit) else explicit]
    return [LIBRARY_NAME] + [os.path.join(prefix, "lib", LIBRARY_NAME) for prefix in DEFAULT_PREFIXES]


def _declare(lib):
    c = ctypes
    status = c.c_void_p     # UinoStatus*: NULL (None) = success
    signatures = {
        "uino_api_version": (c.c_uint32, []),
        "uino_version_string": (c.c_char_p, []),
        "uino_status_code": (c.c_int, [status]),
        "uino_status_message": (c.c_char_p, [status]),
        "uino_status_release": (None, [status]),
        "uino_session_create": (status, [c.POINTER(SessionOptions), c.POINTER(c.c_void_p)]),
        "uino_session_add_reference": (status, [c.c_void_p, c.POINTER(Image), c.c_void_p, c.c_int32]),
        "uino_session_clear_references": (status, [c.c_void_p]),
        "uino_session_segment": (status, [c.c_void_p, c.POINTER(Image), c.c_void_p, c.c_int32,
                                          c.POINTER(c.c_float)]),
        "uino_session_release": (None, [c.c_void_p]),
        "uino_session_model_info": (status, [c.c_void_p, c.POINTER(c.c_int64), c.POINTER(c.c_double)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes


def _open():
    tried = []
    for path in candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
            continue
        _declare(lib)
        if lib.uino_api_version() != API_VERSION:
            raise LibraryError(f"{path} speaks C API {lib.uino_api_version()}; this binding needs {API_VERSION} "
                               f"({lib.uino_version_string().decode()})")
        return lib
    raise LibraryError("libuino.so not found; set UINO_LIBRARY to it or to its install prefix. Tried:\n  "
                       + "\n  ".join(tried))


def library():
    """The loaded libuino (loaded on first use, so `import uino` works without it)."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = _open()
        return _lib


def check(status):
    """Raises the exception for a UinoStatus* (and releases it); returns for NULL."""
    if not status:
        return
    lib = library()
    try:
        code = lib.uino_status_code(status)
        message = lib.uino_status_message(status).decode("utf-8", "replace")
    finally:
        lib.uino_status_release(status)
    raise error_for(code, message)
