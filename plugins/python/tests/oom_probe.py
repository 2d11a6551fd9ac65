"""Run by test_errors.py in a fresh interpreter: drives libuino into UINO_OUT_OF_MEMORY for real. A session is
made and given its reference first; then the address space is capped at what is mapped now plus 64 MB, and a
frame whose tensors need far more is segmented. Prints one JSON line: [exception class, code, message] (the
message holds libtorch's multi-line backtrace).
usage: python oom_probe.py <model> <reference.png> <reference.mask.png>"""
import json
import re
import resource
import sys

import numpy as np
from PIL import Image

import uino

HEADROOM = 64 * 2**20   # enough for Python and the error path; the 8000x8000 frame's input tensor alone is 192 MB


def mapped_bytes():
    with open("/proc/self/status") as f:
        return int(re.search(r"VmSize:\s+(\d+) kB", f.read()).group(1)) * 1024


def main(model, reference, reference_mask):
    frame = np.zeros((8000, 8000, 3), np.uint8)
    out = np.empty(frame.shape[:2], np.uint8)
    with uino.Session(model) as s:
        s.add_reference(np.array(Image.open(reference)), np.array(Image.open(reference_mask)))
        resource.setrlimit(resource.RLIMIT_AS, (mapped_bytes() + HEADROOM, resource.RLIM_INFINITY))
        try:
            s.segment(frame, out=out)
        except uino.UinoError as e:
            print(json.dumps([type(e).__name__, int(e.code), e.message]))
            return
        print(json.dumps(["no error", 0, ""]))


if __name__ == "__main__":
    main(*sys.argv[1:])
