"""IDX files written here byte by byte (struct), then read back."""

import gzip
import struct

import numpy as np
import pytest

from wengert.data import IDXFormatError, load_mnist, load_mnist_idx

CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
         np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(arr, code=None):
    arr = np.asarray(arr)
    code = CODES[arr.dtype.type] if code is None else code
    header = struct.pack(">HBB", 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype", list(CODES))
def test_every_type_code_round_trips(tmp_path, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype == np.uint8:
        arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(arr))
    out = load_mnist_idx(path)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, arr)


def test_known_bytes_of_a_label_file(tmp_path):
    # magic 0x00000801, 3 items, labels 7 0 9
    path = tmp_path / "labels"
    path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]))
    np.testing.assert_array_equal(load_mnist_idx(path), [7, 0, 9])


def test_gzipped_file(tmp_path):
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    path = tmp_path / "a.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(arr)))
    np.testing.assert_array_equal(load_mnist_idx(str(path)), arr)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_mnist_idx(tmp_path / "missing-idx3-ubyte")
    with pytest.raises(IsADirectoryError):
        load_mnist_idx(tmp_path)


@pytest.mark.parametrize("data, message", [
    (b"\x00\x00", "too short"),
    (b"\x12\x34\x08\x01" + b"\x00" * 8, "bad magic"),
    (b"\x00\x00\x42\x01\x00\x00\x00\x01\x00", "unknown IDX type code 0x42"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + b"\x01" * 5, "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02" + b"\x01" * 3, "trailing bytes"),
])
def test_corrupt_files(tmp_path, data, message):
    path = tmp_path / "bad"
    path.write_bytes(data)
    with pytest.raises(IDXFormatError, match=message):
        load_mnist_idx(path)


def test_truncated_gzip(tmp_path):
    blob = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "cut.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IDXFormatError, match="gzip"):
        load_mnist_idx(path)


def test_idx_format_error_is_a_value_error():
    assert issubclass(IDXFormatError, ValueError)


def test_load_mnist_directory(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(images[:2]))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels[:2])))
    d = load_mnist(tmp_path)
    assert d.x_train.shape == (5, 784) and d.x_train.dtype == np.float32
    np.testing.assert_allclose(d.x_train[0], images[0].ravel() / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(d.y_test, [3, 1])
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels"):
        load_mnist(tmp_path)
