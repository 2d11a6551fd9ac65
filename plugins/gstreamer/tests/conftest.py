import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testsupport"))
import uino_testsupport as support  # noqa: E402

import gst_pipeline as gst  # noqa: E402  (beside this file; needs uino_testsupport on the path)


def pytest_configure(config):
    # The suite tests the INSTALLED plugin: GST_PLUGIN_PATH must lead to libgstuino.so (scripts/ci.d/30-gstreamer.sh
    # sets it); failing here is clearer than every pipeline saying "no element uinosegment".
    paths = [p for p in os.environ.get("GST_PLUGIN_PATH", "").split(os.pathsep) if p]
    if not any((Path(p) / "libgstuino.so").is_file() for p in paths):
        raise pytest.UsageError("GST_PLUGIN_PATH does not contain libgstuino.so (install plugins/gstreamer first)")


@pytest.fixture(scope="session")
def frames(tmp_path_factory):
    """The sample queries as the frames 0.png, 1.png, 2.png of a 1 fps video (multifilesrc)."""
    d = tmp_path_factory.mktemp("frames")
    for i, path in enumerate(support.QUERIES.values()):
        shutil.copy(path, d / f"{i}.png")
    return d


@pytest.fixture(scope="session")
def mask_runs(frames, tmp_path_factory):
    """fmt -> the Run of the sample frames in that format through uinosegment mode=mask (each run once)."""
    runs = {}

    def get(fmt):
        if fmt not in runs:
            runs[fmt] = gst.run(frames, tmp_path_factory.mktemp(f"mask-{fmt}"), gst.segmenter("mask"), fmt)
        return runs[fmt]
    return get


@pytest.fixture(scope="session")
def dotnet_masks(tmp_path_factory):
    masks = support.dotnet_masks(tmp_path_factory.mktemp("dotnet"))
    return [masks[name] for name in support.QUERIES]    # in frame order
