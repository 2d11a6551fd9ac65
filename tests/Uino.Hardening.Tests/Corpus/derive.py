#!/usr/bin/env python3
"""Derives the small seed files of the fuzz corpus from the real fixture files (stdlib only, no torch needed).

    python3 derive.py ../../../../shared/fixtures      # rewrites checkpoints/*.{pth,safetensors} here

- dinov2-tiny-subset.pth: the real torch.save archive of fixtures/pth/dinov2-tiny.pth with only its small tensors:
  the pickle's own bytes are kept, entries of large tensors are cut out between their key opcodes (every memo slot
  later entries read is written by the first entry, which is kept), and only the kept storages are zipped.
- dinov2-tiny-subset.safetensors: the same tensors from fixtures/dinov2-tiny/weights.safetensors, header as the
  safetensors writer lays it out (sorted by offset, 8-byte padded with spaces).
The image seeds are written by the test project's CorpusImages helper (see README.md).
"""
import json, pickletools, struct, sys, zipfile, os

MAX_BYTES = 512          # keep tensors of at most this many bytes: the seeds stay small (fast to mutate and load)
MAX_TENSORS = 6

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/fixtures")
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints")
os.makedirs(here, exist_ok=True)

# ---- .pth ----
src = zipfile.ZipFile(os.path.join(root, "pth", "dinov2-tiny.pth"))
prefix = "dinov2-tiny/"
pkl = src.read(prefix + "data.pkl")
ops = list(pickletools.genops(pkl))
# An entry starts at the BINUNICODE of its key directly inside the top-level MARK (depth 1) and its storage key is
# the first BINUNICODE after the 'storage' tag inside it.
starts, keys = [], []
depth = 0
for i, (op, arg, pos) in enumerate(ops):
    if op.name == "MARK":
        depth += 1
    elif op.name in ("TUPLE", "SETITEMS"):
        depth -= 1
    if op.name == "BINUNICODE" and depth == 1:
        starts.append(pos)
        keys.append(arg)
end = ops[-2][2]                                # SETITEMS closes the dict; STOP follows
bounds = list(zip(starts, starts[1:] + [end]))

def storage_of(segment_start, segment_end):
    """The storage key of an entry: the first all-digit string in it (the 'storage' tag and type are memoised)."""
    return next(arg for op, arg, pos in ops
                if segment_start <= pos < segment_end and op.name == "BINUNICODE" and arg.isdigit())

sizes = {i.filename: i.file_size for i in src.infolist()}
kept, storages = [], []
for (s, e), key in zip(bounds, keys):
    st = storage_of(s, e)
    if sizes[prefix + "data/" + st] <= MAX_BYTES and (len(kept) < MAX_TENSORS or s == starts[0]):
        kept.append((s, e))
        storages.append(st)
assert bounds[0] in kept, "the first entry writes the memo slots the others read; it must be kept"
new_pkl = pkl[:starts[0]] + b"".join(pkl[s:e] for s, e in kept) + pkl[end:]
list(pickletools.genops(new_pkl))               # still a well-formed pickle
with zipfile.ZipFile(os.path.join(here, "dinov2-tiny-subset.pth"), "w", zipfile.ZIP_STORED) as out:
    def put(name, data):                        # fixed timestamps: re-running gives the same bytes
        out.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    put(prefix + "data.pkl", new_pkl)
    for st in storages:
        put(prefix + "data/" + st, src.read(prefix + "data/" + st))
    put(prefix + "version", src.read(prefix + "version"))
kept_keys = [k for (s, e), k in zip(bounds, keys) if (s, e) in kept]

# ---- safetensors ----
raw = open(os.path.join(root, "dinov2-tiny", "weights.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out_header, blobs, offset = {}, [], 0
for k in kept_keys:
    h = header[k]
    b, e = h["data_offsets"]
    out_header[k] = {"dtype": h["dtype"], "shape": h["shape"], "data_offsets": [offset, offset + e - b]}
    blobs.append(data[b:e])
    offset += e - b
out_header["__metadata__"] = {"format": "pt"}
text = json.dumps(out_header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(here, "dinov2-tiny-subset.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
print("kept", kept_keys)
