"""Small helpers shared by the rule families."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.primitive import Primitive
from ..core.tracing import Box, contains_box, unbox

_registry: dict[str, Primitive] = {}


def defprim(name: str, impl: Callable[..., Any], **kw: Any) -> Primitive:
    """Create a primitive and register it under ``name`` (one per name)."""
    if name in _registry:
        raise ValueError(f"primitive {name!r} is defined twice")
    p = Primitive(name, impl, **kw)
    _registry[name] = p
    return p


def exporter(names: list[str], namespace: dict) -> Callable[..., Any]:
    """The decorator a rule family uses to list a function in ``wengert.numpy``.

    ``export(fn, name=None)`` adds it to the family's ``__all__`` (``names``)
    and module namespace under ``name`` (default ``fn.__name__``), with
    NumPy's docstring when it has none of its own.
    """
    def export(fn: Any, name: str | None = None) -> Any:
        name = name or fn.__name__
        # A primitive's own docstring is in its instance dict (the class has one too).
        own = fn.__dict__.get("__doc__") if isinstance(fn, Primitive) else fn.__doc__
        if own is None:
            fn.__doc__ = getattr(getattr(np, name, None), "__doc__", None)
        namespace[name] = fn
        names.append(name)
        return fn
    return export


def all_primitives() -> dict[str, Primitive]:
    """Every primitive defined by wengert's rule families, by name."""
    return dict(_registry)


def shape(x: Any) -> tuple:
    try:
        return x.shape
    except AttributeError:
        if type(x) in _PY_DTYPES:
            return ()
        if type(x) in (list, tuple) and contains_box(x):  # read as the array it spells
            return (len(x),) + (shape(x[0]) if len(x) else ())
        return np.shape(x)


def ndim(x: Any) -> int:
    return len(shape(x))


def dtype(x: Any) -> Any:
    try:
        return x.dtype
    except AttributeError:
        if type(x) in (list, tuple) and contains_box(x):
            return np.result_type(*[dtype(e) for e in x])
        return _PY_DTYPES.get(type(x)) or np.result_type(x)


_PY_DTYPES = {float: np.dtype(np.float64), int: np.dtype(np.int64),
              complex: np.dtype(np.complex128), bool: np.dtype(np.bool_)}


def is_complex(x: Any) -> bool:
    return dtype(x).kind == "c"


_REAL_SCALARS = frozenset({float, np.float64})


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum the cotangent ``g`` of a broadcast result back to the shape of ``x``."""
    tg = type(g)
    if tg is np.ndarray:  # the common cases first: nothing to do, or a plain sum
        if type(x) is np.ndarray:
            xs = x.shape
            if g.shape == xs:
                if g.dtype is x.dtype or x.dtype.kind == "c" or g.dtype.kind != "c":
                    return g
            elif x.dtype.kind == "c" or g.dtype.kind != "c":
                return _plain_unbroadcast(g, xs)
    elif tg in _REAL_SCALARS and type(x) in _REAL_SCALARS:
        return g
    xs = shape(x)
    gs = shape(g)
    if gs != xs:
        lead = len(gs) - len(xs)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, d in enumerate(xs) if d == 1 and gs[lead + i] != 1)
        if axes:
            g = _prims["sum"](g, axis=axes, keepdims=False)
        if shape(g) != xs:
            g = _prims["reshape"](g, shape=xs)
    if dtype(g).kind == "c" and dtype(x).kind != "c":
        g = _prims["real"](g)
    return g


_prims = _registry  # rule families refer to each other's primitives by name


def _plain_unbroadcast(g: np.ndarray, xs: tuple) -> Any:
    """unbroadcast of a plain array: NumPy's own sum and reshape, no dispatch."""
    gs = g.shape
    lead = len(gs) - len(xs)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(xs) if d == 1 and gs[lead + i] != 1)
    if axes:
        g = np.add.reduce(g, axes)
    return g if g.shape == xs else g.reshape(xs)


def broadcast_tangent(t: Any, ans: Any) -> Any:
    """A tangent contribution broadcast to the shape of the answer."""
    if type(t) is np.ndarray and type(ans) is np.ndarray and t.shape == ans.shape:
        return t
    if shape(t) == shape(ans):
        return t
    return _prims["broadcast_to"](t, shape=shape(ans))


def zeros_like(x: Any) -> Any:
    v = unbox(x)
    return np.zeros(np.shape(v), dtype=np.result_type(v))


def normalize_axis(axis: Any, nd: int) -> tuple[int, ...] | None:
    """``axis`` as a sorted tuple of non-negative ints (``None`` stays ``None``)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        axes = tuple(int(a) for a in axis)
    else:
        axes = (int(axis),)
    out = []
    for a in axes:
        if not -nd <= a < max(nd, 1):
            raise np.exceptions.AxisError(a, nd)
        out.append(a % nd if nd else 0)
    return tuple(sorted(out))


def is_box(x: Any) -> bool:
    return isinstance(x, Box)
