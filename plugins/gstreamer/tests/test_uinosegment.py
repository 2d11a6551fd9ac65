"""uinosegment, installed, driven by gst-launch-1.0 over the sample frames."""
import os
import subprocess

import numpy as np
import pytest

import gst_pipeline as gst
import uino_testsupport as support


def test_gst_inspect_lists_the_element():
    done = subprocess.run(["gst-inspect-1.0", "uinosegment"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for word in ("Filter/Effect/Video", "reference", "reference-mask", "model", "device", "overlay", "mask",
                 "alpha", "RGB", "BGR", "RGBA", "BGRA", "GRAY8"):
        assert word in done.stdout, word


@pytest.mark.parametrize("fmt", ["RGB", "BGR", "RGBA", "BGRA"])
def test_masks_match_the_dotnet_api(mask_runs, dotnet_masks, fmt):
    # Exact, not "mostly": PNG -> RGB and RGB -> BGR/RGBA/BGRA are lossless byte moves in videoconvert, and libuino
    # reads every layout itself, so the model sees the very pixels the .NET API saw.
    run = mask_runs(fmt)
    assert run.returncode == 0, run.output
    assert len(run.frames) == 3
    for i, (mask, expected) in enumerate(zip(run.frames, dotnet_masks)):
        assert mask.shape == expected.shape and mask.dtype == np.uint8
        differing = int(np.count_nonzero(mask != expected))
        assert differing == 0, f"frame {i} ({fmt}): {differing} pixels differ from the .NET API's mask"


def test_default_model_is_the_embedded_one(frames, dotnet_masks, tmp_path):
    # No model property: libuino's embedded model, which is sdk/models/uino-default.safetensors compiled in.
    element = (f"uinosegment mode=mask reference={gst.q(support.REFERENCE)} "
               f"reference-mask={gst.q(support.REFERENCE_MASK)}")
    run = gst.run(frames, tmp_path, element)
    assert run.returncode == 0, run.output
    assert len(run.frames) == 3
    for i, (mask, expected) in enumerate(zip(run.frames, dotnet_masks)):
        assert np.array_equal(mask, expected), f"frame {i}"


def test_one_score_message_per_frame(mask_runs):
    run = mask_runs("RGB")
    assert run.returncode == 0, run.output
    assert [m["timestamp"] for m in run.messages] == [0, 1_000_000_000, 2_000_000_000]
    for message, mask in zip(run.messages, run.frames):
        assert message["segmented"] is True
        assert 0.0 <= message["score"] <= 1.0
        assert message["object-fraction"] == pytest.approx(np.count_nonzero(mask) / mask.size, abs=1e-12)


def test_gray8_frames_are_segmented(mask_runs):
    run = mask_runs("GRAY8")
    assert run.returncode == 0, run.output
    assert [f.shape for f in run.frames] == [(256, 256)] * 3
    assert all(set(np.unique(f)) <= {0, 255} for f in run.frames)
    assert all(m["segmented"] for m in run.messages) and len(run.messages) == 3


def expected_overlay(frame, mask):
    """The overlay contract (render.c, like `uino segment`'s overlay PNG): object pixels blended 115/256 towards
    magenta (255, 0, 170), outline pixels (object next to background or the border) fully magenta."""
    obj = mask > 0
    padded = np.pad(obj, 1, constant_values=False)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    edge = obj & ~inner
    tint = np.array([255, 0, 170], np.uint32)
    out = frame.astype(np.uint32)
    out[obj & ~edge] = (out[obj & ~edge] * (256 - 115) + tint * 115 + 128) >> 8
    out[edge] = tint
    return out.astype(np.uint8)


def test_overlay_tints_the_object_and_nothing_else(frames, mask_runs, tmp_path):
    masks = mask_runs("RGB")
    overlay = gst.run(frames, tmp_path, gst.segmenter("overlay"))
    assert masks.returncode == 0 and overlay.returncode == 0, overlay.output
    for i, name in enumerate(support.QUERIES):
        source = support.read_png(support.QUERIES[name])
        assert np.array_equal(overlay.frames[i], expected_overlay(source, masks.frames[i])), f"frame {i}"


def test_alpha_is_the_mask(frames, mask_runs, tmp_path):
    masks = mask_runs("RGB")
    alpha = gst.run(frames, tmp_path, gst.segmenter("alpha"))
    assert masks.returncode == 0 and alpha.returncode == 0, alpha.output
    for i, name in enumerate(support.QUERIES):
        assert alpha.frames[i].shape == (256, 256, 4)
        assert np.array_equal(alpha.frames[i][:, :, :3], support.read_png(support.QUERIES[name]))
        assert np.array_equal(alpha.frames[i][:, :, 3], masks.frames[i])


@pytest.mark.parametrize("fmt", ["RGB", "BGRA"])
def test_frames_pass_unchanged_until_a_reference_is_set(frames, tmp_path, fmt):
    run = gst.run(frames, tmp_path, gst.segmenter("overlay", with_reference=False), fmt)
    assert run.returncode == 0, run.output
    for i, name in enumerate(support.QUERIES):
        out = run.frames[i][:, :, :3]      # BGRA comes back as RGBA PNG
        assert np.array_equal(out, support.read_png(support.QUERIES[name])), f"frame {i} changed"
    assert "No reference set: frames pass through unsegmented" in run.output     # the INFO on the bus
    assert [m["segmented"] for m in run.messages] == [False] * 3


def test_mask_mode_without_reference_is_empty(frames, tmp_path):
    run = gst.run(frames, tmp_path, gst.segmenter("mask", with_reference=False))
    assert run.returncode == 0, run.output
    assert all(f.shape == (256, 256) and not f.any() for f in run.frames)


def assert_clean_error(run, *words):
    """An ERROR from uinosegment on the bus, then gst-launch stopped by itself: no signal, no output frames."""
    assert run.returncode > 0, f"exit {run.returncode} (negative = killed by a signal)\n{run.output}"
    assert "ERROR: from element /GstPipeline:pipeline0/GstUinoSegment:uinosegment0" in run.output, run.output
    for word in words:
        assert str(word) in run.output, f"'{word}' missing from:\n{run.output}"
    assert not run.frames
    for crash in ("Aborted", "Segmentation fault", "CRITICAL", "core dumped"):
        assert crash not in run.output


def test_bad_reference_path_posts_an_error_and_exits_cleanly(frames, tmp_path):
    missing = tmp_path / "no-such-reference.png"
    run = gst.run(frames, tmp_path / "out", gst.segmenter("mask", reference=missing), timeout=120)
    assert_clean_error(run, "Could not read the reference image", missing, "no such file")


@pytest.mark.parametrize("properties, words", [
    ({"reference-mask": "/nonexistent/mask.png"}, ["reference mask", "/nonexistent/mask.png"]),
    ({"reference-mask": support.SAMPLES / "classes.png"}, ["256x256", "256x192"]),
    ({"reference": support.SAMPLES / "README.md"}, ["reference image", "README.md"]),
    ({"model": "/nonexistent/model.safetensors"}, ["Could not load the Uino model", "does not exist", "code 2"]),
    ({"model": support.SAMPLES / "README.md"}, ["Could not load the Uino model", "code 3"]),
    ({"device": "tpu"}, ["tpu", "code 1"]),
], ids=["missing mask", "mask of another size", "reference not an image", "missing model", "not a model",
        "unknown device"])
def test_bad_settings_post_errors(frames, tmp_path, properties, words):
    run = gst.run(frames, tmp_path / "out", gst.segmenter("mask", **properties), timeout=120)
    assert_clean_error(run, *words)


def test_a_source_that_fails_mid_stream_ends_the_pipeline_cleanly(frames, mask_runs, tmp_path):
    """Upstream fails after two frames (identity error-after=3 posts, on the third, the ERROR a vanishing camera posts: v4l2src's
    "Could not read from resource"): the pipeline stops and uinosegment is torn down while it holds a session. No
    crash, no hang, and the frames before the failure were segmented as usual."""
    run = gst.run(frames, tmp_path / "out", "identity error-after=3 ! " + gst.segmenter("mask"), timeout=120)
    assert run.returncode > 0, f"exit {run.returncode} (negative = killed by a signal)\n{run.output}"
    assert "ERROR: from element /GstPipeline:pipeline0/GstIdentity:identity0" in run.output, run.output
    for crash in ("Aborted", "Segmentation fault", "CRITICAL", "core dumped"):
        assert crash not in run.output
    assert len(run.frames) == 2, f"{len(run.frames)} frames came out"
    for got, expected in zip(run.frames, mask_runs("RGB").frames[:2]):
        assert np.array_equal(got, expected)


def test_reference_without_mask_is_an_error(frames, tmp_path):
    element = f"uinosegment model={gst.q(support.model_path())} reference={gst.q(support.REFERENCE)}"
    assert_clean_error(gst.run(frames, tmp_path / "out", element, timeout=120), "reference-mask is not set")


def test_reference_changes_while_playing_from_another_thread(frames):
    helper = os.environ.get("UINO_GST_LIVE_REFERENCE")
    assert helper and os.path.isfile(helper), "UINO_GST_LIVE_REFERENCE must name the built live_reference helper"
    done = subprocess.run([helper, str(frames / "%d.png"), str(support.model_path()), str(support.REFERENCE),
                           str(support.REFERENCE_MASK)], capture_output=True, text=True, timeout=600)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all phases passed" in done.stdout
