"""What the plugin test suites share: the repository's samples, the model they use, PNG reading, and the .NET
API's masks for the sample queries (the reference every adapter must match)."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
REFERENCE = SAMPLES / "reference.png"
REFERENCE_MASK = SAMPLES / "reference.mask.png"
# The three sample scenes of the reference's class, in frame order.
QUERIES = {"query": SAMPLES / "query.png", "query2": SAMPLES / "queries" / "query2.png",
           "query3": SAMPLES / "queries" / "query3.png"}


def model_path():
    """The model the tests name explicitly: the file libuino embeds as its default (so a test can also check the
    embedded model against it)."""
    return REPO / "sdk" / "models" / "uino-default.safetensors"


def tiny_model_path():
    """A tiny random model that carries its encoder: the C ABI suite's test model (tests/Uino.Native.Tests writes it
    into the native build's test data; UINO_TEST_TINY_MODEL overrides). For tests about memory and the ABI rather
    than about the default model, whose frames cost ~120-200 ms here (a ResNet-18 encoder) against a few ms."""
    path = Path(os.environ.get("UINO_TEST_TINY_MODEL", REPO / "build" / "native" / "testdata" / "tiny.safetensors"))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build native-interop with its tests "
                                "(cmake --build build/native writes build/native/testdata), or set UINO_TEST_TINY_MODEL")
    return path


def read_png(path):
    return np.array(Image.open(path))


def cli_dll():
    path = Path(os.environ.get("UINO_CLI", REPO / "sdk" / "Uino.Cli" / "bin" / "Release" / "net10.0" / "uino.dll"))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build it with `dotnet build sdk/Uino.Cli -c Release` "
                                "(or point UINO_CLI at uino.dll)")
    return path


def dotnet_masks(work_dir):
    """{query name: H x W uint8 mask} from `uino segment` (the .NET API) on the sample queries with the test model."""
    work_dir = Path(work_dir)
    queries, out = work_dir / "queries", work_dir / "masks"
    queries.mkdir(parents=True)
    for name, path in QUERIES.items():
        shutil.copy(path, queries / f"{name}.png")
    cmd = ["dotnet", str(cli_dll()), "segment", "--model", str(model_path()), "--reference", str(REFERENCE),
           "--mask", str(REFERENCE_MASK), "--query", str(queries), "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    return {name: read_png(out / f"{name}.mask.png") for name in QUERIES}


def agreement(a, b):
    """Fraction of equal pixels of two masks of the same shape."""
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    return float(np.mean(a == b))
