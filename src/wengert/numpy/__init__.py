"""``wengert.numpy``: differentiable NumPy.

Use it as ``import wengert.numpy as wnp`` and write ordinary NumPy code.  The
functions take and return plain ``numpy.ndarray`` values; inside a transform
they see traced values and record or push derivatives.  A NumPy function with
no derivative rule still works on plain arrays, and raises an error naming it
when a traced value reaches it.
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any

import numpy as _np

from ..core.tracing import Box as _Box
from ..core.tracing import unbox as _unbox
from ..rules import all_families as _all_families
from . import _box  # noqa: F401  (gives traced values their array methods)

for _mod in _all_families():
    for _name in _mod.__all__:
        globals()[_name] = getattr(_mod, _name)

# Constants, dtypes and array constructors pass through unchanged: they make
# new arrays that do not depend on any traced value.
for _name in [
    "pi", "e", "inf", "nan", "newaxis", "euler_gamma", "ndarray", "dtype", "generic",
    "float16", "float32", "float64", "complex64", "complex128", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "bool_", "intp", "integer", "floating",
    "complexfloating", "number", "finfo", "iinfo", "result_type", "promote_types",
    "can_cast", "issubdtype", "errstate", "seterr", "geterr", "s_", "index_exp",
    "zeros", "ones", "empty", "full", "eye", "identity", "arange", "linspace", "logspace",
    "geomspace", "meshgrid", "indices", "tri", "mgrid", "ogrid",
    "isscalar", "set_printoptions", "printoptions",
    "unravel_index", "ravel_multi_index", "diag_indices", "tril_indices", "triu_indices",
]:
    if hasattr(_np, _name) and _name not in globals():
        globals()[_name] = getattr(_np, _name)


def _unbox_deep(x: Any) -> Any:
    """The plain value of x, also inside lists and tuples (lexsort's keys)."""
    if type(x) in (list, tuple):
        return type(x)(_unbox_deep(v) for v in x)
    return _unbox(x)


def _unboxing(name: str) -> Any:
    """A NumPy function whose result never depends differentiably on its input."""
    fn = getattr(_np, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..tensor import EAGER_LEVEL, Tensor
        if _builtins.any(_has_batch(a) for a in (*args, *kwargs.values())):
            return _per_example(name, wrapper, args, kwargs)
        tensors = _builtins.any(isinstance(a, Tensor) for a in args)
        args = tuple(_unbox_deep(a) for a in args)
        kwargs = {k: _unbox_deep(v) for k, v in kwargs.items()}
        out = fn(*args, **kwargs)
        if tensors and name in _TENSOR_RESULTS:  # the tensor API gets tensors back
            return Tensor._constant(out, EAGER_LEVEL)
        return out

    wrapper.__name__ = name
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _has_batch(x: Any) -> bool:
    from ..core.batching import BatchBox
    if type(x) in (list, tuple):
        return _builtins.any(_has_batch(v) for v in x)
    while isinstance(x, _Box) and not isinstance(x, BatchBox):
        x = x._value
    return isinstance(x, BatchBox)


def _per_example(name: str, fn: Any, args: tuple, kwargs: dict) -> Any:
    """A value-dependent NumPy function of batched values (vmap): shapes are the
    example's; anything else runs once per example of the outermost batch level met."""
    from ..core.batching import BatchBox
    from ..core.tree import tree_leaves as _tree_leaves
    from ..rules._util import dtype as _dtype
    from ..rules._util import shape as _shape
    from ..rules.shape import getitem, stack
    if name in ("shape", "ndim", "size"):
        s = _shape(args[0])
        return {"shape": s, "ndim": len(s), "size": int(_np.prod(s))}[name]
    if name in ("zeros_like", "ones_like", "empty_like") and len(args) == 1 and not kwargs:
        return getattr(_np, name[:-5])(_shape(args[0]), _dtype(args[0]))

    def strip(x: Any) -> Any:
        if type(x) in (list, tuple):
            return type(x)(strip(v) for v in x)
        while isinstance(x, _Box) and not isinstance(x, BatchBox):
            x = x._value
        return x
    args, kwargs = strip(args), {k: strip(v) for k, v in kwargs.items()}
    top = _builtins.max(b._level for b in _tree_leaves((args, kwargs))
                        if isinstance(b, BatchBox))
    size = next(b._size for b in _tree_leaves((args, kwargs))
                if isinstance(b, BatchBox) and b._level == top)

    def example(x: Any, i: int) -> Any:
        if isinstance(x, BatchBox) and x._level == top:
            v = x._value
            idx = (slice(None),) * x._bdim + (i,)
            return v[idx] if type(v) is _np.ndarray else getitem(v, idx)
        if type(x) in (list, tuple):
            return type(x)(example(v, i) for v in x)
        return x
    outs = [fn(*example(args, i), **{k: example(v, i) for k, v in kwargs.items()})
            for i in range(size)]
    if _builtins.all(not isinstance(o, _Box) for o in outs):
        return BatchBox(_np.stack([_np.asarray(o) for o in outs]), top, 0, size)
    return BatchBox(stack(outs), top, 0, size)


# Of these, the ones whose result is one array: a tensor when given tensors (as PyTorch).
_TENSOR_RESULTS = frozenset({
    "zeros_like", "ones_like", "empty_like", "full_like", "argmax", "argmin", "argsort",
    "argwhere", "flatnonzero", "count_nonzero", "all", "any", "searchsorted", "digitize",
    "bincount", "nanargmax", "nanargmin", "isin"})
for _name in ["zeros_like", "ones_like", "empty_like", "full_like", "shape", "ndim", "size",
              "argmax", "argmin", "argsort", "argwhere", "flatnonzero", "count_nonzero",
              "all", "any", "array_equiv", "searchsorted", "digitize",
              "unique", "nanargmax", "nanargmin", "lexsort", "isin", "iscomplex",
              "allclose", "isclose", "array_equal", "iscomplexobj", "isrealobj", "isreal"]:
    if _name not in globals():
        globals()[_name] = _unboxing(_name)


class _Undifferentiable:
    """A NumPy function wengert has no rule for: fine on plain arrays, an error on traced ones."""

    def __init__(self, name: str, fn: Any) -> None:
        self.__name__ = name
        self.__doc__ = fn.__doc__
        self._fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # builtins.any: this module's own `any` is numpy's, true for any generator.
        if _builtins.any(_has_box(a) for a in (*args, *kwargs.values())):
            raise TypeError(
                f"wengert.numpy.{self.__name__} has no derivative rule. Use a differentiable "
                f"alternative, detach the argument with wengert.stop_gradient, or register a "
                f"rule: `p = wengert.primitive(numpy.{self.__name__})` then `p.defvjp(...)` "
                f"and `p.defjvp(...)`."
            )
        return self._fn(*args, **kwargs)


def _has_box(x: Any) -> bool:
    if isinstance(x, _Box):
        return True
    if isinstance(x, (list, tuple)):
        return _builtins.any(_has_box(v) for v in x)
    return False


class _Concatenator:
    """``numpy.r_`` / ``numpy.c_`` that also stack traced values (plain NumPy's otherwise).

    Traced entries support the common forms: scalars, arrays and slices (``r_``
    joins them along the first axis, ``c_`` makes 1-D entries columns and joins
    along the last); NumPy's string directives are for plain arrays only.
    """

    def __init__(self, plain: Any, columns: bool) -> None:
        self._plain, self._columns = plain, columns

    def __getitem__(self, key: Any) -> Any:
        items = key if isinstance(key, tuple) else (key,)
        if not _builtins.any(_has_box(k) for k in items):
            return self._plain[key]
        if _builtins.any(isinstance(k, str) for k in items):
            raise TypeError("wengert.numpy.r_/c_: string directives are not supported with "
                            "traced values; use wengert.numpy.concatenate")
        from ..rules.shape import atleast_1d, concatenate, reshape
        parts = [_np.r_[k] if isinstance(k, slice) else atleast_1d(k) for k in items]
        if not self._columns:
            return concatenate(parts, axis=0)
        parts = [reshape(p, (-1, 1)) if _np.ndim(_unbox(p)) == 1 else p for p in parts]
        return concatenate(parts, axis=-1)

    def __len__(self) -> int:
        return 0


r_ = _Concatenator(_np.r_, columns=False)
c_ = _Concatenator(_np.c_, columns=True)


def __getattr__(name: str) -> Any:  # also wnp.random: numpy.random loads on first use
    fn = getattr(_np, name, None)
    if fn is None:
        raise AttributeError(f"module 'wengert.numpy' has no attribute {name!r}")
    if not callable(fn) or isinstance(fn, type):
        return fn
    return _Undifferentiable(name, fn)


# Submodules are imported by name: `from . import fft` would get numpy.fft from __getattr__.
fft = __import__(f"{__name__}.fft", fromlist=["fft"])
linalg = __import__(f"{__name__}.linalg", fromlist=["linalg"])
