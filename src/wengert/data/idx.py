"""Reading the IDX files of MNIST (raw or gzipped), without pickle.

Format: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions ``d``,
then ``d`` big-endian uint32 sizes, then the data, big-endian, row-major.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from typing import NamedTuple

import numpy as np

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """The file is not a well-formed IDX file (bad header, truncated, corrupt)."""


def _read_bytes(path: str) -> bytes:
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_mnist_idx: no such file {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load_mnist_idx: {path!r} is a directory, not an IDX file")
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        raise IDXFormatError(f"{path!r}: corrupt or truncated gzip data ({e})") from e


def parse_idx(buf: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an IDX file into an array (native byte order)."""
    if len(buf) < 4:
        raise IDXFormatError(f"{name}: {len(buf)} bytes is too short for an IDX header")
    zero, code, ndim = struct.unpack(">HBB", buf[:4])
    if zero != 0:
        raise IDXFormatError(f"{name}: bad magic number {buf[:4].hex()} (expected 0000 "
                             f"then a type code); not an IDX file")
    if code not in _DTYPES:
        raise IDXFormatError(f"{name}: unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise IDXFormatError(f"{name}: truncated header ({len(buf)} bytes, needs {header})")
    shape = struct.unpack(f">{ndim}I", buf[4:header])
    dtype = np.dtype(_DTYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(buf) - header
    if got != expected:
        what = "truncated" if got < expected else "has trailing bytes"
        raise IDXFormatError(f"{name}: {what}: shape {shape} of {dtype.name} needs "
                             f"{expected} data bytes, found {got}")
    data = np.frombuffer(buf, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def load_mnist_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (``.gz`` or raw; detected from the content) into an array."""
    path = os.fspath(path)
    return parse_idx(_read_bytes(path), repr(path))


class Split(NamedTuple):
    """A train/test split: ``x_train, y_train, x_test, y_test``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


_FILES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
          "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def load_mnist(directory: str | os.PathLike) -> Split:
    """The four standard MNIST files from ``directory`` (raw or ``.gz``).

    Images come back as float32 in [0, 1], flattened to 784 columns; labels as int64.
    """
    directory = os.fspath(directory)
    parts = {}
    for key, stem in _FILES.items():
        candidates = [os.path.join(directory, stem + ext) for ext in (".gz", "")]
        found = next((c for c in candidates if os.path.exists(c)), None)
        if found is None:
            raise FileNotFoundError(f"load_mnist: neither {candidates[0]!r} nor "
                                    f"{candidates[1]!r} exists")
        parts[key] = load_mnist_idx(found)
    for key in ("x_train", "x_test"):
        parts[key] = (parts[key].reshape(len(parts[key]), -1) / 255.0).astype(np.float32)
    for key in ("y_train", "y_test"):
        parts[key] = parts[key].astype(np.int64)
    return Split(**parts)
