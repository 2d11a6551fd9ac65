"""200 calls through the binding leave no memory behind, in Python (tracemalloc) or in the process (RSS)."""
import gc
import os
import tracemalloc

import uino

CALLS = 200
WARM_UP = 30
# Per call, a leak worth catching holds at least a 64 KB mask or a 192 KB frame (12.8 MB over 200 calls).
# Tolerances leave room for allocator noise and the process-wide runtime's own caches, not for a per-call leak.
PYTHON_TOLERANCE = 64 * 1024
RSS_TOLERANCE = 6 * 2**20


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def one_round(session, empty_session, frame, reference):
    """A segment, an add/clear of a reference, and a call that fails (its status must be freed too)."""
    session.segment_with_score(frame)
    empty_session.add_reference(*reference)
    empty_session.clear_references()
    try:
        empty_session.segment(frame)
    except uino.NoReferenceError:
        pass
    else:
        raise AssertionError("segment after clear_references must fail")


def test_no_leak_over_200_calls(model, reference, queries):
    frame = queries["query"]
    with uino.Session(model, threads=1) as session, uino.Session(model, threads=1) as empty_session:
        session.add_reference(*reference)
        for _ in range(WARM_UP):
            one_round(session, empty_session, frame, reference)
        gc.collect()
        tracemalloc.start()
        python_before, rss_before = tracemalloc.take_snapshot(), rss_bytes()
        for _ in range(CALLS):
            one_round(session, empty_session, frame, reference)
        gc.collect()
        python_after, rss_after = tracemalloc.take_snapshot(), rss_bytes()
        tracemalloc.stop()
    python_growth = sum(d.size_diff for d in python_after.compare_to(python_before, "filename"))
    rss_growth = rss_after - rss_before
    print(f"over {CALLS} rounds: Python heap {python_growth:+d} B, RSS {rss_growth / 2**20:+.2f} MB")
    assert python_growth < PYTHON_TOLERANCE, f"Python heap grew {python_growth} B"
    assert rss_growth < RSS_TOLERANCE, f"RSS grew {rss_growth / 2**20:.1f} MB"
