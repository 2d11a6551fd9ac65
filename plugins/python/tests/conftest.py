import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "testsupport"))
import uino_testsupport as support  # noqa: E402

import uino  # noqa: E402  (the INSTALLED package: this folder has no __init__.py, plugins/python is not on sys.path)


@pytest.fixture(scope="session")
def dotnet_masks(tmp_path_factory):
    return support.dotnet_masks(tmp_path_factory.mktemp("dotnet"))


@pytest.fixture(scope="session")
def reference():
    return support.read_png(support.REFERENCE), support.read_png(support.REFERENCE_MASK)


@pytest.fixture(scope="session")
def queries():
    return {name: support.read_png(path) for name, path in support.QUERIES.items()}


@pytest.fixture(scope="session")
def model():
    return str(support.model_path())


@pytest.fixture(scope="session")
def shared_session(model, reference):
    """One session with the sample reference, for the tests that only segment."""
    with uino.Session(model) as s:
        s.add_reference(*reference)
        yield s
