"""Run by test_leaks.py in a fresh interpreter: 200 calls of each kind through the installed binding, with the
Python heap (tracemalloc) and resident memory (RSS) read before and after. Prints one JSON object.
usage: python leak_probe.py <model (test_leaks.py: the tiny test model)> <reference.png> <reference.mask.png> <query.png>"""
import gc
import json
import os
import sys
import tracemalloc

import numpy as np
from PIL import Image

import uino

# The warm-up: libuino's resident memory climbs for its first calls whatever the binding does (through the C ABI on
# 2026-12-04, 512x512 frames: +30 MB after 200 calls from a fresh session, +36 MB after 300, then ~+4 MB per 200; the
# same with the 224-px and the 252-px default model), as the .NET API soak test's 500 warm-up calls allow for. Adding
# and clearing a reference climbs for longer: with the tiny test model (test_leaks.py) +31, +18, +18, +16, +16, +26 MB
# per 200 calls, then +0.4 and +0.3 MB (its managed heap grows until the GC's budget is reached: bounded, not a
# leak); 300 warm-up calls left +15 MB of that inside the window. The tiny model's add + clear takes a few ms: 1500.
CALLS, WARM_UP, WARM_UP_REFERENCE = 200, 300, 1500


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(call, warm_up=WARM_UP):
    """(Python heap growth, RSS growth) in bytes over CALLS calls, after warm_up calls."""
    for _ in range(warm_up):
        call()
    gc.collect()
    tracemalloc.start()
    heap_before, rss_before = tracemalloc.take_snapshot(), rss_bytes()
    for _ in range(CALLS):
        call()
    gc.collect()
    heap_after, rss_after = tracemalloc.take_snapshot(), rss_bytes()
    tracemalloc.stop()
    return sum(d.size_diff for d in heap_after.compare_to(heap_before, "filename")), rss_after - rss_before


def main(model, reference, reference_mask, query):
    image, mask, frame = (np.array(Image.open(p)) for p in (reference, reference_mask, query))
    # The query at 512 x 512: a copy the binding kept per call (mask 256 KB, frame 768 KB) would stand far above
    # libuino's own per-call drift, which does not depend on the frame size.
    frame = np.kron(frame, np.ones((2, 2, 1), np.uint8))
    with uino.Session(model, threads=1) as session, uino.Session(model, threads=1) as empty:
        session.add_reference(image, mask)

        def failing():      # a status comes back each time and must be freed
            try:
                empty.segment(frame)
            except uino.NoReferenceError:
                return
            raise AssertionError("segment without a reference must fail")

        def add_and_clear():
            empty.add_reference(image, mask)
            empty.clear_references()

        results = {name: measure(call, *warm_up) for name, call, *warm_up in (
            ("segment", lambda: session.segment_with_score(frame)), ("failing", failing),
            ("add_clear", add_and_clear, WARM_UP_REFERENCE))}
    print(json.dumps({name: {"python": p, "rss": r} for name, (p, r) in results.items()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
