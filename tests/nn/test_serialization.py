"""Saving and loading parameters (.npz, no pickle)."""

import numpy as np
import pytest

import wengert
from wengert import nn


@pytest.fixture
def params():
    return nn.MLP([3, 4, 2]).init(0)


def test_round_trip_restores_structure_and_values(tmp_path, params):
    path = nn.save_params(tmp_path / "p", params)
    assert path.endswith(".npz")
    back = nn.load_params(path)
    assert wengert.tree_structure(back) == wengert.tree_structure(params)
    for a, b in zip(wengert.tree_leaves(params), wengert.tree_leaves(back)):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_round_trip_of_nested_dicts_tuples_and_scalars(tmp_path):
    tree = {"enc": ({"w": np.ones((2, 2), np.float32)}, [np.array(3.0)]), "t": np.arange(3)}
    back = nn.load_params(nn.save_params(tmp_path / "t.npz", tree))
    assert isinstance(back["enc"], tuple) and isinstance(back["enc"][1], list)
    assert back["enc"][0]["w"].dtype == np.float32
    np.testing.assert_array_equal(back["t"], [0, 1, 2])
    assert set(nn.named_leaves(tree)) == {"enc/0/w", "enc/1/0", "t"}


def test_load_against_template(tmp_path, params):
    path = nn.save_params(tmp_path / "p.npz", params)
    back = nn.load_params(path, like=nn.MLP([3, 4, 2]).init(1))
    np.testing.assert_array_equal(back[2]["w"], params[2]["w"])


def test_shape_mismatch_names_the_parameter(tmp_path, params):
    path = nn.save_params(tmp_path / "p.npz", params)
    with pytest.raises(ValueError, match=r"'0/w' has shape \(3, 4\) in the file.*\(3, 5\)"):
        nn.load_params(path, like=nn.MLP([3, 5, 2]).init(0))


def test_missing_and_unexpected_names(tmp_path, params):
    path = nn.save_params(tmp_path / "p.npz", params)
    with pytest.raises(ValueError, match="missing from the file: 4/b, 4/w"):
        nn.load_params(path, like=nn.MLP([3, 4, 2, 2]).init(0))
    with pytest.raises(ValueError, match="in the file but not in the model: 2/b"):
        nn.load_params(path, like=[params[0], {}, {"w": params[2]["w"]}])


def test_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load_params(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError, match="not a readable"):
        nn.load_params(bad)
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.ones(2))
    with pytest.raises(ValueError, match="__structure__"):
        nn.load_params(plain)


def test_pickled_objects_are_refused(tmp_path):
    evil = tmp_path / "evil.npz"
    np.savez(evil, __structure__=np.array('{"dict": {"a": null}}'),
             a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError):
        nn.load_params(evil)


def test_bad_keys_are_refused(tmp_path):
    with pytest.raises(ValueError, match="without '/'"):
        nn.save_params(tmp_path / "k.npz", {"a/b": np.ones(1)})
