"""Errors of the binding: one exception class per UinoCode of uino.h, each carrying the code and the library's
message."""
import enum


class Code(enum.IntEnum):
    """UinoCode (uino.h)."""
    OK = 0
    INVALID_ARGUMENT = 1
    NOT_FOUND = 2
    INVALID_MODEL = 3
    NO_REFERENCE = 4
    RUNTIME_ERROR = 5
    OUT_OF_MEMORY = 6


class UinoError(Exception):
    """A failure reported by libuino (or found by the binding before calling it): `code` and `message`."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = _as_code(code)
        self.message = message

    def __str__(self):
        name = self.code.name if isinstance(self.code, Code) else str(self.code)
        return f"[{name}] {self.message}"


class InvalidArgumentError(UinoError, ValueError):
    """A bad argument: wrong array shape/dtype, size, stride, format, option, closed session..."""


class NotFoundError(UinoError):
    """The model file does not exist (or this libuino has no embedded model)."""


class InvalidModelError(UinoError):
    """The model file exists but is not a usable Uino model."""


class NoReferenceError(UinoError):
    """segment() before any reference was added (or after clear_references())."""


class UinoRuntimeError(UinoError):
    """Anything else the library reports: device unavailable, session in use, internal error."""


class OutOfMemoryError(UinoError):
    """The library ran out of memory."""


class LibraryError(OSError):
    """libuino.so could not be found or loaded, or it speaks another C API version."""


_BY_CODE = {
    Code.INVALID_ARGUMENT: InvalidArgumentError,
    Code.NOT_FOUND: NotFoundError,
    Code.INVALID_MODEL: InvalidModelError,
    Code.NO_REFERENCE: NoReferenceError,
    Code.RUNTIME_ERROR: UinoRuntimeError,
    Code.OUT_OF_MEMORY: OutOfMemoryError,
}


def _as_code(value):
    try:
        return Code(value)
    except ValueError:
        return int(value)   # a code from a newer library: kept as a number


def error_for(code, message):
    """The exception for a status code (a newer library's unknown code gives a plain UinoError)."""
    return _BY_CODE.get(_as_code(code), UinoError)(code, message)
