"""Runs gst-launch-1.0 over the sample frames through uinosegment and collects what came out."""
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import uino_testsupport as support

# gst-launch -m prints every bus message; ours look like
#   Got message #12 from element "uinosegment0" (element): uinosegment, timestamp=(guint64)0, segmented=...;
_MESSAGE = re.compile(r'from element "uinosegment0" \(element\): uinosegment, (.*);\s*$')
_FIELD = re.compile(r'([\w-]+)=\((\w+)\)([^,]+)')


@dataclass
class Run:
    returncode: int
    output: str
    frames: list = field(default_factory=list)      # output PNGs as arrays, in order
    messages: list = field(default_factory=list)    # per-frame element messages as dicts


def _parse_message(text):
    values = {}
    for name, kind, value in _FIELD.findall(text):
        values[name] = value == "true" if kind == "boolean" else float(value) if kind == "double" else int(value)
    return values


def q(path):
    """A launch-line value, quoted for shlex (gst-launch escapes each argument itself)."""
    return shlex.quote(str(path))


def segmenter(mode="mask", with_reference=True, **properties):
    """The uinosegment part of a launch line, with the test model and (by default) the sample reference."""
    props = {"model": support.model_path(), "mode": mode, **properties}
    if with_reference:
        props.setdefault("reference", support.REFERENCE)
        props.setdefault("reference-mask", support.REFERENCE_MASK)
    return "uinosegment " + " ".join(f"{k}={q(v)}" for k, v in props.items())


def run(frames_dir, out_dir, element, fmt="RGB", timeout=300):
    """frames_dir/%d.png -> fmt -> element -> PNGs in out_dir; returns the Run."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    line = (f"multifilesrc location={q(Path(frames_dir) / '%d.png')} index=0 stop-index=2 "
            f"caps=image/png,framerate=1/1 ! pngdec ! videoconvert ! video/x-raw,format={fmt} ! {element} "
            f"! videoconvert ! pngenc ! multifilesink sync=false location={q(out_dir / '%d.png')}")
    done = subprocess.run(["gst-launch-1.0", "-m", *shlex.split(line)], capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    result = Run(done.returncode, output)
    result.messages = [_parse_message(m.group(1)) for m in map(_MESSAGE.search, output.splitlines()) if m]
    result.frames = [support.read_png(p) for p in sorted(out_dir.glob("*.png"), key=lambda p: int(p.stem))]
    return result
