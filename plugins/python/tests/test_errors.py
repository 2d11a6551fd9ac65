"""Every UinoCode arrives as its exception class, with the code and libuino's own message."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import uino
import uino_testsupport as support
from uino.errors import error_for

SAMPLES_README = str(support.SAMPLES / "README.md")


def failing_calls(model, queries):
    """code -> (call provoking it in the real library, exception class, words its message must contain)."""
    def segment_before_reference():
        with uino.Session(model) as s:
            s.segment(queries["query"])
    return {
        uino.Code.INVALID_ARGUMENT: (lambda: uino.Session(model, threads=-1), uino.InvalidArgumentError,
                                     "num_threads"),
        uino.Code.NOT_FOUND: (lambda: uino.Session("/nonexistent/model.safetensors"), uino.NotFoundError,
                              "/nonexistent/model.safetensors"),
        uino.Code.INVALID_MODEL: (lambda: uino.Session(SAMPLES_README), uino.InvalidModelError, "README.md"),
        uino.Code.NO_REFERENCE: (segment_before_reference, uino.NoReferenceError, "reference"),
    }


@pytest.mark.parametrize("code", [uino.Code.INVALID_ARGUMENT, uino.Code.NOT_FOUND, uino.Code.INVALID_MODEL,
                                  uino.Code.NO_REFERENCE], ids=lambda c: c.name)
def test_each_code_from_libuino_raises_its_exception(model, queries, code):
    call, cls, words = failing_calls(model, queries)[code]
    with pytest.raises(cls) as caught:
        call()
    e = caught.value
    assert isinstance(e, uino.UinoError) and e.code == code
    assert words.lower() in e.message.lower(), e.message
    assert e.message in str(e) and code.name in str(e)


def test_out_of_memory_from_libuino(model):
    probe = os.path.join(os.path.dirname(__file__), "oom_probe.py")
    done = subprocess.run([sys.executable, probe, model, str(support.REFERENCE), str(support.REFERENCE_MASK)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    name, code, message = json.loads(done.stdout.strip().splitlines()[-1])
    assert (name, code) == ("OutOfMemoryError", uino.Code.OUT_OF_MEMORY), done.stdout
    assert "allocate" in message.lower(), message


def test_runtime_error_and_unknown_codes_map_to_their_exceptions():
    # RUNTIME_ERROR is what libuino reports for a failure inside the inference runtime that is not an allocation:
    # nothing a caller can pass provokes one on a healthy machine, so the mapping itself is checked.
    e = error_for(5, "Inference failed on a 640x480 frame: shape mismatch")
    assert isinstance(e, uino.UinoRuntimeError) and e.code == uino.Code.RUNTIME_ERROR
    assert str(e) == "[RUNTIME_ERROR] Inference failed on a 640x480 frame: shape mismatch"
    unknown = error_for(42, "from a newer library")
    assert type(unknown) is uino.UinoError and unknown.code == 42


@pytest.mark.parametrize("device", ["tpu", "cuda"])
def test_unknown_or_unavailable_device(model, device):
    # This build ships TorchSharp-cpu: "cuda" is refused like an unknown name, as an invalid option.
    with pytest.raises(uino.InvalidArgumentError, match=device):
        uino.Session(model, device=device)


@pytest.mark.parametrize("frame, fmt, words", [
    (np.zeros((8, 8, 3), np.float32), None, "uint8"),
    (np.zeros((8, 8, 2), np.uint8), None, "shape"),
    (np.zeros((8, 8, 3), np.uint8), "yuv", "unknown format"),
    (np.zeros((8, 8, 3), np.uint8), "rgba", "channel"),
    (np.zeros((0, 8, 3), np.uint8), None, "height"),
], ids=["float", "two channels", "unknown format", "format/channels mismatch", "zero height"])
def test_bad_frames_are_invalid_arguments(shared_session, frame, fmt, words):
    with pytest.raises(uino.InvalidArgumentError) as caught:
        shared_session.segment(frame, format=fmt)
    assert caught.value.code == uino.Code.INVALID_ARGUMENT and words in caught.value.message.lower()


def test_bad_masks_and_outputs_are_invalid_arguments(shared_session, reference):
    image, mask = reference
    with pytest.raises(uino.InvalidArgumentError, match="mask"):
        shared_session.add_reference(image, mask[:100])
    with pytest.raises(uino.InvalidArgumentError, match="out"):
        shared_session.segment(image, out=np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError):      # InvalidArgumentError is also a ValueError
        shared_session.segment(image, out=np.zeros((256, 256), np.int32))


def run_python(code, **env):
    """A fresh interpreter: the library is loaded once per process."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_missing_library_is_a_library_error():
    run = run_python("import uino\ntry:\n    uino.Session()\nexcept uino.LibraryError as e:\n    print(e)",
                     UINO_LIBRARY="/nonexistent/libuino.so")
    assert run.returncode == 0, run.stderr
    assert "UINO_LIBRARY" in run.stdout and "/nonexistent/libuino.so" in run.stdout


def test_library_found_from_the_install_prefix_or_its_lib_dir():
    lib = uino.library_path()
    lib_dir = os.path.dirname(lib)
    for value in (lib, lib_dir, os.path.dirname(lib_dir)):
        run = run_python("import uino; print(uino.library_path())", UINO_LIBRARY=value)
        assert run.returncode == 0, run.stderr
        assert os.path.samefile(run.stdout.strip(), lib), value
