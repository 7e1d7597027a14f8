"""Pytrees: nested tuples, lists, dicts (and registered classes) of leaves.

Transforms flatten their arguments and outputs into a list of leaves plus a
:class:`TreeDef`, work on the leaves, and rebuild the same structure for the
derivative.  ``None`` is an empty subtree, as in JAX.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, NamedTuple


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[list, Any]]
    unflatten: Callable[[Any, list], Any]


_registry: dict[type, _NodeType] = {
    tuple: _NodeType(lambda t: (list(t), None), lambda _, c: tuple(c)),
    list: _NodeType(lambda t: (list(t), None), lambda _, c: list(c)),
    dict: _NodeType(
        lambda d: ([d[k] for k in sorted(d)], sorted(d)),
        lambda keys, c: dict(zip(keys, c)),
    ),
    type(None): _NodeType(lambda _: ([], None), lambda _, c: None),
    # As in JAX: an OrderedDict keeps its order; a defaultdict sorts like a dict and
    # keeps its factory.
    collections.OrderedDict: _NodeType(
        lambda d: (list(d.values()), list(d)),
        lambda keys, c: collections.OrderedDict(zip(keys, c)),
    ),
    collections.defaultdict: _NodeType(
        lambda d: ([d[k] for k in sorted(d)], (d.default_factory, sorted(d))),
        lambda aux, c: collections.defaultdict(aux[0], zip(aux[1], c)),
    ),
}


def _flatten_seq(v: Any) -> tuple[list, Any]:
    return list(v), None


def register_pytree_node(cls: type, flatten: Callable[[Any], tuple[list, Any]],
                         unflatten: Callable[[Any, list], Any]) -> None:
    """Let transforms see inside instances of ``cls``.

    ``flatten(obj) -> (children, aux)`` and ``unflatten(aux, children) -> obj``.
    """
    _registry[cls] = _NodeType(flatten, unflatten)


def _node_type(x: Any) -> tuple[type, _NodeType] | None:
    t = type(x)
    nt = _registry.get(t)
    if nt is not None:
        return t, nt
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
        return t, _NodeType(_flatten_seq, lambda _, c: t(*c))
    return None


class TreeDef:
    """The structure of a pytree with its leaves taken out."""

    __slots__ = ("kind", "aux", "children", "num_leaves")

    def __init__(self, kind: Any, aux: Any, children: tuple[TreeDef, ...]) -> None:
        self.kind = kind  # None for a leaf, else (type, _NodeType)
        self.aux = aux
        self.children = children
        self.num_leaves: int = 1 if kind is None else sum(c.num_leaves for c in children)

    def unflatten(self, leaves: list) -> Any:
        it = iter(leaves)
        out = self._build(it)
        return out

    def _build(self, it: Any) -> Any:
        if self.kind is None:
            return next(it)
        return self.kind[1].unflatten(self.aux, [c._build(it) for c in self.children])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TreeDef):
            return NotImplemented
        same_kind = (self.kind is None) == (other.kind is None) and (
            self.kind is None or self.kind[0] is other.kind[0])
        return bool(same_kind and self.aux == other.aux and self.children == other.children)

    def __hash__(self) -> int:
        return hash((None if self.kind is None else self.kind[0], repr(self.aux), self.children))

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        inner = ", ".join(repr(c) for c in self.children)
        return f"{self.kind[0].__name__}({inner})"


_LEAF = TreeDef(None, None, ())


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(x: Any, leaves: list) -> TreeDef:
    nt = _node_type(x)
    if nt is None:
        leaves.append(x)
        return _LEAF
    children, aux = nt[1].flatten(x)
    return TreeDef(nt, aux, tuple(_flatten(c, leaves) for c in children))


def tree_unflatten(treedef: TreeDef, leaves: list) -> Any:
    return treedef.unflatten(list(leaves))


def tree_leaves(tree: Any) -> list:
    return tree_flatten(tree)[0]


def tree_structure(tree: Any) -> TreeDef:
    return tree_flatten(tree)[1]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """Apply ``f`` leaf by leaf to ``tree`` and trees of the same structure."""
    leaves, treedef = tree_flatten(tree)
    others = []
    for i, r in enumerate(rest):
        r_leaves, r_def = tree_flatten(r)
        if r_def != treedef:
            raise ValueError(
                f"tree_map: tree {i + 1} has structure {r_def}, expected {treedef}")
        others.append(r_leaves)
    return treedef.unflatten([f(*xs) for xs in zip(leaves, *others)])
