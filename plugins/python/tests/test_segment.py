"""The binding gives the .NET API's masks, for every pixel layout it accepts."""
import threading

import numpy as np
import pytest

import uino
import uino_testsupport as support


def test_masks_match_the_dotnet_api(shared_session, queries, dotnet_masks):
    for name, frame in queries.items():
        mask, score = shared_session.segment_with_score(frame)
        assert mask.shape == frame.shape[:2] and mask.dtype == np.uint8
        assert set(np.unique(mask)) <= {0, 255}
        differing = int(np.count_nonzero(mask != dotnet_masks[name]))
        assert differing == 0, f"{name}: {differing} pixels differ from the .NET API's mask"
        assert 0.0 <= score <= 1.0
        assert np.count_nonzero(mask) > 0, f"{name}: empty mask (the sample object is in every query)"


@pytest.mark.parametrize("layout", ["bgr", "rgba", "bgra", "padded rows", "channel-last view"])
def test_every_layout_gives_the_rgb_mask(shared_session, queries, dotnet_masks, layout):
    rgb = queries["query"]
    if layout == "bgr":
        frame, fmt = np.ascontiguousarray(rgb[:, :, ::-1]), "bgr"
    elif layout in ("rgba", "bgra"):
        colour = rgb if layout == "rgba" else rgb[:, :, ::-1]
        frame, fmt = np.dstack([colour, np.full(rgb.shape[:2], 7, np.uint8)]), layout
    elif layout == "padded rows":       # a crop of a wider picture: rows farther apart than width * 3
        wide = np.zeros((rgb.shape[0], rgb.shape[1] + 13, 3), np.uint8)
        wide[:, 5:5 + rgb.shape[1]] = rgb
        frame, fmt = wide[:, 5:5 + rgb.shape[1]], None
    else:                               # a non-contiguous view the binding has to copy
        frame, fmt = np.transpose(np.transpose(rgb, (2, 0, 1)).copy(), (1, 2, 0)), None
    assert np.array_equal(shared_session.segment(frame, format=fmt), dotnet_masks["query"])


def test_default_session_uses_the_embedded_model(reference, queries, dotnet_masks):
    # Session() loads the model compiled into libuino: sdk/models/uino-default.safetensors, the tests' model file.
    with uino.Session() as s:
        s.add_reference(*reference)
        assert np.array_equal(s.segment(queries["query"]), dotnet_masks["query"])


def test_gray_frames_are_segmented(shared_session, queries):
    grey = queries["query"].mean(axis=2).astype(np.uint8)
    mask = shared_session.segment(grey)
    assert mask.shape == grey.shape and set(np.unique(mask)) <= {0, 255}


def test_out_is_written_in_place(shared_session, queries, dotnet_masks):
    out = np.full((256, 256), 3, np.uint8)
    returned = shared_session.segment(queries["query2"], out=out)
    assert returned is out and np.array_equal(out, dotnet_masks["query2"])


def test_clear_then_k_shot(model, reference, queries):
    with uino.Session(model) as s:
        s.add_reference(*reference)
        s.clear_references()
        with pytest.raises(uino.NoReferenceError):
            s.segment(queries["query"])
        s.add_reference(*reference)
        query_mask = support.read_png(support.SAMPLES / "query.mask.png") > 0
        s.add_reference(queries["query"], query_mask)                       # a second shot, as a bool mask
        assert s.segment(queries["query2"]).shape == (256, 256)


def test_model_info_counts_the_loaded_tensors(shared_session):
    tensors, abs_sum = shared_session.model_info()
    assert tensors > 100 and abs_sum > 0


def test_threads_share_a_session(shared_session, queries, dotnet_masks):
    """Three threads on one session: every call runs (one at a time) and gives the single-thread mask."""
    results, errors = {}, []

    def work(name):
        try:
            results[name] = shared_session.segment(queries[name])
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for name in queries:
        assert np.array_equal(results[name], dotnet_masks[name])


def test_context_manager_closes(model, queries):
    with uino.Session(model) as s:
        pass
    with pytest.raises(uino.InvalidArgumentError, match="closed"):
        s.segment(queries["query"])
    s.close()   # twice is fine


def test_version():
    assert uino.API_VERSION == 1
    assert "C API 1" in uino.version_string()
    assert uino.library_path().endswith("libuino.so")
