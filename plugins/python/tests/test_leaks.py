"""200 calls of each kind through the binding leave nothing behind: not in the Python heap (tracemalloc), not in
the process (RSS)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import uino_testsupport as support

# What a leak in the binding would look like over 200 calls: a kept 512x512 mask (256 KB) or frame (768 KB) per
# call is >= 51 MB; kept ctypes objects or statuses show in tracemalloc or in the failing-call RSS. libuino itself
# drifts by 20-40 KB per segment call after leak_probe's warm-up, whatever the frame size (measured +4.6 to +8.0 MB
# over 200 calls, and linear over 700 with the earlier stand-in session); this tolerance leaves that to libuino's
# own soak tests.
PYTHON_TOLERANCE = 64 * 1024
SEGMENT_RSS_TOLERANCE = 16 * 2**20
# A failing call allocates only its status: RSS measured flat (+0.00 MB).
FAILING_RSS_TOLERANCE = 1 * 2**20
# A reference added and cleared: keeping its 256x256 mask (64 KB) per call would be 12.8 MB; measured +0.2 to
# +0.9 MB with the earlier default model after 300 warm-up calls (+16 MB on 2026-12-07, the same model and
# probe); with the tiny model after leak_probe's 1500: 0.0 to +3.3 MB (after 300: +15 MB, the managed heap still
# growing to its GC budget).
REFERENCE_RSS_TOLERANCE = 8 * 2**20


def test_binding_leaks_nothing_over_200_calls():
    # A fresh interpreter, with glibc's mmap threshold fixed: by default glibc raises it after freeing large
    # blocks and then keeps freed multi-MB tensor buffers in the heap, so RSS jumps by +-10 MB between identical
    # calls. Fixed, freed large buffers go back to the OS and RSS follows what is live.
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
    probe = Path(__file__).with_name("leak_probe.py")
    # The tiny test model: what is measured is the binding, not a model. With the default model (a ResNet-18 encoder,
    # ~120-200 ms a frame here) the probe is slow and libuino's own drift sits at the tolerances' edge (measured
    # +14 MB over 200 segment calls, +8.2 MB over 200 add + clear); libuino's memory is checked by the native
    # suite's growth check and soak.
    done = subprocess.run([sys.executable, str(probe), str(support.tiny_model_path()), str(support.REFERENCE),
                           str(support.REFERENCE_MASK), str(support.QUERIES["query"])],
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, r in results.items():
        print(f"{name}: over 200 calls Python heap {r['python']:+d} B, RSS {r['rss'] / 2**20:+.2f} MB "
              f"({r['rss'] / 200 / 1024:+.1f} KB per call)")
    for name, r in results.items():
        assert r["python"] < PYTHON_TOLERANCE, f"{name}: Python heap grew {r['python']} B"
    assert results["failing"]["rss"] < FAILING_RSS_TOLERANCE, results["failing"]
    assert results["add_clear"]["rss"] < REFERENCE_RSS_TOLERANCE, results["add_clear"]
    assert results["segment"]["rss"] < SEGMENT_RSS_TOLERANCE, results["segment"]
