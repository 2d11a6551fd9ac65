"""Uino few-shot segmentation for Python: a ctypes binding of libuino.so (no compiled code).

    import uino
    with uino.Session("uino-default.safetensors") as s:
        s.add_reference(reference_rgb, reference_mask)
        mask = s.segment(frame_rgb)

libuino.so is found through UINO_LIBRARY (the library, or its install prefix), the dynamic loader, or the usual
prefixes; see uino._library.
"""
from ._library import API_VERSION, library
from .errors import (Code, InvalidArgumentError, InvalidModelError, LibraryError, NoReferenceError, NotFoundError,
                     OutOfMemoryError, UinoError, UinoRuntimeError)
from .session import Session

__version__ = "0.1.0"
__all__ = ["Session", "Code", "UinoError", "InvalidArgumentError", "NotFoundError", "InvalidModelError",
           "NoReferenceError", "UinoRuntimeError", "OutOfMemoryError", "LibraryError", "API_VERSION",
           "version_string", "library_path"]


def version_string():
    """libuino's version, e.g. "uino 0.1.0 (C API 1, ...)"."""
    return library().uino_version_string().decode("utf-8", "replace")


def library_path():
    """The path (or name) libuino.so was loaded from."""
    return library()._name
