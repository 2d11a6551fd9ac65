"""uino.Session: one loaded model, its reference shots, and segmentation of frames."""
import ctypes
import os
import threading

from . import _arrays
from ._library import SessionOptions, check, library
from .errors import Code, InvalidArgumentError


class Session:
    """A Uino session over libuino.

        with uino.Session("model.safetensors") as s:     # model=None: the model embedded in libuino
            s.add_reference(image, mask)                   # H x W x 3 uint8 (RGB), H x W mask (nonzero = object)
            mask = s.segment(frame)                        # H x W uint8, 255 = object, 0 = not

    Images are H x W x 3 uint8 RGB by default; format="bgr" (OpenCV), "rgba", "bgra", or H x W "gray" also work.
    Errors raise uino.UinoError subclasses carrying .code and .message. A session may be shared by threads:
    the binding runs its calls one at a time, and close() waits for a call in progress.
    """

    def __init__(self, model=None, *, device=None, threads=0):
        lib = library()
        options = SessionOptions(ctypes.sizeof(SessionOptions),
                                 None if model is None else os.fsencode(model),
                                 None if device is None else device.encode("utf-8"),
                                 threads)
        handle = ctypes.c_void_p()
        check(lib.uino_session_create(ctypes.byref(options), ctypes.byref(handle)))
        # One call at a time, and close() never frees the session under a call in flight (from another thread;
        # ctypes releases the GIL during the call). Older libuino builds failed concurrent calls with "in use".
        self._lib, self._handle, self._lock = lib, handle.value, threading.Lock()

    # ---- lifetime ----
    def close(self):
        """Frees the session (and the references it holds); closing twice is fine."""
        lock = getattr(self, "_lock", None)     # absent when __init__ failed
        if lock is None:
            return
        with lock:
            if self._handle:
                self._lib.uino_session_release(self._handle)
                self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _live(self):
        if not self._handle:
            raise InvalidArgumentError(Code.INVALID_ARGUMENT, "the session is closed")
        return self._handle

    # ---- references ----
    def add_reference(self, image, mask, *, format=None):
        """Adds one reference shot (more calls: K-shot). mask: H x W, nonzero = object."""
        view, keep = _arrays.image(image, format)
        mask_ptr, mask_stride, keep_mask = _arrays.mask_in(mask, view.height, view.width)
        with self._lock:
            check(self._lib.uino_session_add_reference(self._live(), ctypes.byref(view), mask_ptr, mask_stride))
        del keep, keep_mask     # the arrays had to outlive the call

    def clear_references(self):
        with self._lock:
            check(self._lib.uino_session_clear_references(self._live()))

    # ---- segmentation ----
    def segment_with_score(self, frame, *, format=None, out=None):
        """(mask, score): the H x W uint8 mask (255 object, 0 not; written into `out` when given) and the model's
        confidence in [0, 1]."""
        view, keep = _arrays.image(frame, format)
        mask = _arrays.mask_out(out, view.height, view.width)
        score = ctypes.c_float()
        with self._lock:
            check(self._lib.uino_session_segment(self._live(), ctypes.byref(view), mask.ctypes.data,
                                                 mask.strides[0], ctypes.byref(score)))
        del keep
        return mask, float(score.value)

    def segment(self, frame, *, format=None, out=None):
        """The H x W uint8 mask of the reference's object in `frame` (255 object, 0 not)."""
        return self.segment_with_score(frame, format=format, out=out)[0]

    def model_info(self):
        """(state_dict tensor count, sum of |values|): lets a host check the model loaded completely."""
        tensors, abs_sum = ctypes.c_int64(), ctypes.c_double()
        with self._lock:
            check(self._lib.uino_session_model_info(self._live(), ctypes.byref(tensors), ctypes.byref(abs_sum)))
        return tensors.value, abs_sum.value
