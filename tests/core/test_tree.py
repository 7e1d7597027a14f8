"""Pytrees: flattening order, round trips, registered classes, tree_map."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import wengert
from wengert import (
    register_pytree_node,
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_structure,
    tree_unflatten,
)

Point = namedtuple("Point", "x y")


class Pair:
    """A user class registered as a pytree node."""

    def __init__(self, a, b):
        self.a, self.b = a, b


register_pytree_node(Pair, lambda p: ([p.a, p.b], None), lambda _, c: Pair(*c))


def test_leaves_in_order_dict_keys_sorted():
    tree = {"b": 2, "a": (1, [3, 4]), "c": {"z": 6, "y": 5}}
    leaves, treedef = tree_flatten(tree)
    assert leaves == [1, 3, 4, 2, 5, 6]
    assert treedef.num_leaves == 6


@pytest.mark.parametrize("tree", [
    1.0,
    (1.0, 2.0),
    [1.0, (2.0, 3.0)],
    {"w": np.ones(2), "b": 0.5},
    {"layers": [{"w": 1.0, "b": 2.0}, {"w": 3.0, "b": 4.0}], "scale": (5.0,)},
    Point(1.0, Point(2.0, 3.0)),
    (),
    [],
    {},
])
def test_round_trip_keeps_types_and_values(tree):
    leaves, treedef = tree_flatten(tree)
    back = tree_unflatten(treedef, leaves)
    assert type(back) is type(tree)
    assert tree_structure(back) == treedef
    for a, b in zip(tree_leaves(back), leaves):
        assert a is b


def test_namedtuple_rebuilt_as_namedtuple():
    leaves, treedef = tree_flatten(Point(1, (2, 3)))
    assert leaves == [1, 2, 3]
    back = tree_unflatten(treedef, [10, 20, 30])
    assert isinstance(back, Point) and back.x == 10 and back.y == (20, 30)


def test_none_is_an_empty_subtree():
    leaves, treedef = tree_flatten((1, None, {"a": None, "b": 2}))
    assert leaves == [1, 2]
    assert tree_unflatten(treedef, [5, 6]) == (5, None, {"a": None, "b": 6})


def test_arrays_and_scalars_are_leaves():
    a = np.arange(6.0).reshape(2, 3)
    leaves = tree_leaves([a, 2.0, np.float32(1), "name"])
    assert len(leaves) == 4 and leaves[0] is a


def test_registered_class():
    leaves, treedef = tree_flatten({"p": Pair(1.0, (2.0, 3.0))})
    assert leaves == [1.0, 2.0, 3.0]
    back = tree_unflatten(treedef, [4.0, 5.0, 6.0])
    assert isinstance(back["p"], Pair) and back["p"].a == 4.0 and back["p"].b == (5.0, 6.0)


def test_registered_class_is_differentiable():
    g = wengert.grad(lambda p: p.a * p.b[0] + p.b[1])(Pair(2.0, (3.0, 4.0)))
    assert isinstance(g, Pair)
    assert (g.a, g.b) == (3.0, (2.0, 1.0))


def test_structure_equality_and_hash():
    s1 = tree_structure({"a": 1, "b": (2, 3)})
    s2 = tree_structure({"b": (7, 8), "a": 9})
    s3 = tree_structure({"a": 1, "b": [2, 3]})
    s4 = tree_structure({"a": 1, "c": (2, 3)})
    assert s1 == s2 and hash(s1) == hash(s2)
    assert s1 != s3  # tuple vs list
    assert s1 != s4  # different keys
    assert tree_structure((1, 2)) != tree_structure((1, 2, 3))
    assert tree_structure(Point(1, 2)) != tree_structure((1, 2))


def test_tree_map_one_and_several_trees():
    t = {"a": 1.0, "b": [2.0, 3.0]}
    assert tree_map(lambda x: 2 * x, t) == {"a": 2.0, "b": [4.0, 6.0]}
    u = {"a": 10.0, "b": [20.0, 30.0]}
    assert tree_map(lambda x, y: x + y, t, u) == {"a": 11.0, "b": [22.0, 33.0]}


def test_tree_map_structure_mismatch_is_an_error():
    with pytest.raises(ValueError, match="structure"):
        tree_map(lambda x, y: x + y, {"a": 1.0, "b": 2.0}, {"a": 1.0, "c": 2.0})
    with pytest.raises(ValueError, match="structure"):
        tree_map(lambda x, y: x + y, (1.0, 2.0), [1.0, 2.0])


def test_unflatten_with_leaves_of_another_tree():
    _, treedef = tree_flatten({"w": np.zeros(3), "b": 0.0})
    assert tree_unflatten(treedef, ["B", "W"]) == {"b": "B", "w": "W"}


def test_repr_shows_structure():
    r = repr(tree_structure((1, [2, 3])))
    assert "tuple" in r and "list" in r
