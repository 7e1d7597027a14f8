"""Indexing, functional updates and the rest of the shape family.

Nearly everything here is a composition of the linear primitives of
:mod:`wengert.rules.shape` (``getitem`` and its transpose ``untake``,
``reshape``, ``broadcast_to``, ``concatenate``) and of ``where``, so it needs
no derivative rules of its own and is exactly as differentiable as they are.
The integer index arrays those compositions need are computed once with plain
NumPy, often by running NumPy's own function on ``arange`` (``pad``, ``insert``,
``delete``): the result says which input entry lands where.

Only 1-D ``convolve`` and ``correlate`` are primitives: written as sums of
shifted copies they would cost one operation per kernel entry.

In-place assignment has a functional replacement, JAX style::

    y = wnp.at(x)[idx].set(v)    # x with x[idx] = v, x unchanged
    y = wnp.at(x)[idx].add(v)    # repeated indices accumulate
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.batching import batched_value, has_batch, per_example
from ..core.tracing import Box, unbox
from . import reductions as red
from ._util import batch_size, defprim, dtype, exporter, loop_batch, ndim, normalize_axis
from ._util import shape as shape_of
from .elementwise import conj, remainder, where_p
from .shape import (
    _clean_index,
    astype,
    broadcast_to,
    broadcast_to_p,
    concatenate,
    concatenate_p,
    flip,
    getitem_p,
    ravel,
    reshape,
    reshape_p,
    stack,
    traced_array,
    transpose,
    untake_p,
)

__all__: list[str] = []

_NOVALUE: Any = np._NoValue  # NumPy's own "argument not given" marker


_export = exporter(__all__, globals())


def _axis1(axis: int, nd: int) -> int:
    (ax,) = normalize_axis(axis, nd)  # type: ignore[misc]
    return ax


def _along(ax: int, index: Any) -> tuple:
    """An index tuple applying ``index`` to axis ``ax``."""
    return (slice(None),) * ax + (index,)


def _gather(a: Any, ax: int, index: Any) -> Any:
    return getitem_p(a, idx=_along(ax, index))


def _keepdims(keepdims: Any) -> bool:
    return False if keepdims is _NOVALUE else bool(keepdims)


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"wengert.numpy.{name}: out= is not supported; use the returned array")


def _cast(y: Any, like: Any) -> Any:
    """``y`` in the dtype of ``like`` (assignment keeps the target's dtype)."""
    return y if dtype(y) == dtype(like) else astype(y, dtype(like))


# -- gathers -----------------------------------------------------------------------------
def _apply_mode(fname: str, ind: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Out-of-range indices under NumPy's ``mode``: wrap around, clip, or leave (raise)."""
    if mode == "wrap":
        return np.mod(ind, n)
    if mode == "clip":
        return np.clip(ind, 0, n - 1)
    if mode != "raise":
        raise ValueError(f"wengert.numpy.{fname}: mode must be 'raise', 'wrap' or 'clip', "
                         f"not {mode!r}")
    return ind


@_export
@per_example(watch=(1,))
def take(a: Any, indices: Any, axis: int | None = None, out: Any = None,
         mode: str = "raise") -> Any:
    _no_out("take", out)
    ind = np.asarray(unbox(indices))
    if ind.dtype == np.bool_:
        ind = ind.astype(np.intp)  # np.take reads booleans as 0/1, not as a mask
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axis1(axis, ndim(a))
    ind = _apply_mode("take", ind, shape_of(a)[ax], mode)
    return _gather(a, ax, ind)


def _along_axis_index(ind: np.ndarray, ashape: tuple, ax: int) -> tuple:
    """The advanced index that ``take_along_axis`` applies."""
    nd = len(ashape)
    if ind.ndim != nd:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    out = []
    for d, n in enumerate(ashape):
        out.append(ind if d == ax else np.arange(n).reshape((1,) * d + (-1,) + (1,) * (nd - d - 1)))
    return tuple(out)


# take_along_axis with indices that differ across a vmap batch: a primitive of its own,
# the indices an argument (not a parameter), so the batching rules can batch them.
def _untake_along(g: Any, ind: Any, shape: tuple, axis: int) -> Any:
    out = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(out, _along_axis_index(np.asarray(ind), shape, axis), g)
    return out


take_along_p = defprim("take_along", lambda a, ind, axis: np.take_along_axis(a, ind, axis),
                       keep_ans=False)
untake_along_p = defprim("untake_along", _untake_along, keep_args=False, keep_ans=False)
take_along_p.defjvp(lambda t, ans, a, ind, axis: take_along_p(t, ind, axis=axis), None)
take_along_p.defvjp(lambda g, ans, a, ind, axis: untake_along_p(
    g, ind, shape=shape_of(a), axis=axis), None)
take_along_p.vjp_reads = ((1,), ())
untake_along_p.defjvp(lambda t, ans, g, ind, shape, axis: untake_along_p(
    t, ind, shape=shape, axis=axis), None)
untake_along_p.defvjp(lambda c, ans, g, ind, shape, axis: take_along_p(c, ind, axis=axis), None)


def _lead(x: Any, d: Any) -> Any:
    """A batched value with its batch axis first, an unbatched one with a unit axis there
    (take_along_axis broadcasts the axes other than the one it indexes)."""
    from ._util import to_front
    if d is not None:
        return to_front(x, d)
    return x.reshape((1,) + x.shape) if type(x) is np.ndarray else reshape(x, (1,) + shape_of(x))


def _batch_take_along(args: Any, dims: Any, axis: int) -> tuple:
    a, ind = args
    return take_along_p(_lead(a, dims[0]), _lead(ind, dims[1]), axis=axis + 1), 0


def _batch_untake_along(args: Any, dims: Any, shape: tuple, axis: int) -> tuple:
    g, ind = args
    size = batch_size(args, dims)
    return untake_along_p(_lead(g, dims[0]), _lead(ind, dims[1]), shape=(size,) + shape,
                          axis=axis + 1), 0


take_along_p.defbatch(_batch_take_along)
untake_along_p.defbatch(_batch_untake_along)


@_export
def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Any:
    if has_batch(indices):  # vmap: indices per example
        if axis is None:
            arr, indices, axis = ravel(arr), ravel(batched_value(indices)), 0
        return take_along_p(arr, batched_value(indices), axis=_axis1(axis, ndim(arr)))
    ind = np.asarray(unbox(indices))
    if ind.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if ind.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = ravel(arr), 0
    ax = _axis1(axis, ndim(arr))
    return getitem_p(arr, idx=_along_axis_index(ind, shape_of(arr), ax))


def _argsort(a: Any, **kw: Any) -> Any:
    return sys.modules["wengert.numpy"].argsort(a, **kw)  # per example under vmap


def _argpartition(a: Any, kth: Any, **kw: Any) -> Any:
    return per_example(lambda v: np.argpartition(v, kth, **kw))(a)


@_export
def sort(a: Any, axis: int | None = -1, kind: str | None = None, order: Any = None, *,
         stable: bool | None = None) -> Any:
    """Sorted copy; the derivative follows each entry to where it was sorted to."""
    if order is not None:
        raise NotImplementedError("wengert.numpy.sort: order= (structured arrays)")
    if axis is None:
        a, axis = ravel(a), -1
    if has_batch(a):  # vmap: each example's permutation (a batch of index arrays)
        perm = _argsort(batched_value(a), axis=axis, kind=kind, stable=stable)
    else:
        perm = np.argsort(unbox(a), axis=axis, kind=kind, stable=stable)
    return take_along_axis(a, perm, axis)


@_export
def argpartition(a: Any, kth: Any, axis: int | None = -1, kind: str = "introselect",
                 order: Any = None) -> Any:
    return np.argpartition(unbox(a), kth, axis=axis, kind=kind, order=order)


@_export
def partition(a: Any, kth: Any, axis: int | None = -1, kind: str = "introselect",
              order: Any = None) -> Any:
    if axis is None:
        a, axis = ravel(a), -1
    if has_batch(a):  # vmap: each example's partition
        perm = _argpartition(batched_value(a), kth, axis=axis, kind=kind, order=order)
    else:
        perm = np.argpartition(unbox(a), kth, axis=axis, kind=kind, order=order)
    return take_along_axis(a, perm, axis)


@_export
@per_example(watch=(0,))
def compress(condition: Any, a: Any, axis: int | None = None, out: Any = None) -> Any:
    _no_out("compress", out)
    return take(a, np.nonzero(np.ravel(unbox(condition)))[0], axis)


@_export
@per_example(watch=(0,))
def extract(condition: Any, arr: Any) -> Any:
    return take(ravel(arr), np.nonzero(np.ravel(unbox(condition)))[0])


# -- functional updates: at(x)[idx].set(v) ---------------------------------------------------
def _may_repeat(idx: Any) -> bool:
    """Whether ``idx`` can name one entry twice (only integer arrays can)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" and p.size > 1
               for p in parts)


def _targets(xshape: tuple, idx: Any) -> np.ndarray:
    """The flat position in ``x`` of every entry of ``x[idx]``, without an arange of x's size."""
    nd = len(xshape)
    coords = [np.broadcast_to(np.arange(n).reshape((-1,) + (1,) * (nd - d - 1)), xshape)[idx]
              for d, n in enumerate(xshape)]
    return np.ravel_multi_index(coords, xshape)


class _Scatter:
    """Where ``x[idx] = v`` writes: a constant description, computed once per update."""

    def __init__(self, xshape: tuple, idx: Any) -> None:
        self.xshape, self.idx = xshape, idx
        self.size = int(np.prod(xshape))
        self.ishape = np.broadcast_to(np.zeros((), np.bool_), xshape)[idx].shape
        self.written = np.zeros(xshape, np.bool_)
        self.written[idx] = True
        self.tgt: np.ndarray | None = None  # set when an entry is named more than once
        if _may_repeat(idx) and self.size:
            tgt = _targets(xshape, idx).ravel()
            order = np.argsort(tgt, kind="stable")
            st = tgt[order]
            first = np.r_[True, st[1:] != st[:-1]]
            if not first.all():
                pos = np.arange(st.size)
                rank = np.empty_like(pos)
                rank[order] = pos - np.maximum.accumulate(np.where(first, pos, 0))
                last = np.empty_like(first)
                last[order] = np.r_[first[1:], True]
                self.tgt, self.rank, self.last = tgt, rank, last

    def values(self, v: Any) -> Any:
        return v if shape_of(v) == self.ishape else broadcast_to_p(v, shape=self.ishape)

    def scatter(self, v: Any, sel: np.ndarray | None, like: Any) -> Any:
        """Zeros of x's shape with the entries ``sel`` of ``v`` (all if None) written in."""
        if sel is None:
            return untake_p(v, idx=self.idx, shape=self.xshape, dtype=dtype(like))
        part = getitem_p(reshape_p(v, shape=(_size(self.ishape),)), idx=sel)
        flat = untake_p(part, idx=self.tgt[sel], shape=(self.size,), dtype=dtype(like))
        return reshape_p(flat, shape=self.xshape)

    def rounds(self) -> list[tuple[np.ndarray | None, np.ndarray]]:
        """Groups of writes that name no entry twice: ``(selection, written mask)``."""
        if self.tgt is None:
            return [(None, self.written)]
        out = []
        for r in range(int(self.rank.max()) + 1):
            sel = np.nonzero(self.rank == r)[0]
            mask = np.zeros(self.size, np.bool_)
            mask[self.tgt[sel]] = True
            out.append((sel, mask.reshape(self.xshape)))
        return out


def _size(s: tuple) -> int:
    return int(np.prod(s))


_PLAIN_UFUNC = {"add": np.add, "multiply": np.multiply, "divide": np.divide,
                "min": np.minimum, "max": np.maximum}


class _IndexUpdate:
    """``at(x)[idx]``: out-of-place versions of ``x[idx] = v``, ``x[idx] += v`` ..."""

    __slots__ = ("x", "idx")

    def __init__(self, x: Any, idx: Any) -> None:
        self.x, self.idx = x, idx

    def get(self) -> Any:
        """``x[idx]``."""
        return getitem_p(self.x, idx=self.idx)

    def set(self, values: Any) -> Any:
        """``x`` with ``x[idx] = values``; of repeated indices the last write wins."""
        x = self.x
        if not isinstance(x, Box) and not isinstance(values, Box):
            out = np.array(x, copy=True)
            out[self.idx] = values
            return out
        sc = _Scatter(shape_of(x), self.idx)
        sel = None if sc.tgt is None else np.nonzero(sc.last)[0]
        return _cast(where_p(sc.written, sc.scatter(sc.values(values), sel, x), x), x)

    def add(self, values: Any) -> Any:
        """``x`` with ``values`` added at ``idx``; repeated indices accumulate."""
        x = self.x
        if not isinstance(x, Box) and not isinstance(values, Box):
            return self._plain("add", values)
        sc = _Scatter(shape_of(x), self.idx)
        return _cast(x + sc.scatter(sc.values(values), None, x), x)

    def subtract(self, values: Any) -> Any:
        """``x`` with ``values`` subtracted at ``idx``."""
        return self.add(-values if isinstance(values, Box) else -np.asarray(values))

    def multiply(self, values: Any) -> Any:
        """``x`` with ``x[idx] *= values``; repeated indices multiply in turn."""
        return self._combine("multiply", values, lambda a, b: a * b, 1.0)

    def divide(self, values: Any) -> Any:
        """``x`` with ``x[idx] /= values``; repeated indices divide in turn."""
        return self._combine("divide", values, lambda a, b: a / b, 1.0)

    def min(self, values: Any) -> Any:  # noqa: A003
        """``x`` with ``x[idx] = minimum(x[idx], values)``."""
        from .elementwise import minimum
        return self._combine("min", values, minimum, None)

    def max(self, values: Any) -> Any:  # noqa: A003
        """``x`` with ``x[idx] = maximum(x[idx], values)``."""
        from .elementwise import maximum
        return self._combine("max", values, maximum, None)

    def _plain(self, name: str, values: Any) -> Any:
        out = np.array(self.x, copy=True)
        _PLAIN_UFUNC[name].at(out, self.idx, values)
        return out

    def _combine(self, name: str, values: Any, op: Callable[[Any, Any], Any],
                 neutral: float | None) -> Any:
        x = self.x
        if not isinstance(x, Box) and not isinstance(values, Box):
            return self._plain(name, values)
        sc = _Scatter(shape_of(x), self.idx)
        v = sc.values(values)
        out = x
        # One round per repetition of an index, so each round writes an entry at most once.
        for sel, mask in sc.rounds():
            # Unwritten entries get a harmless operand (``neutral`` or out itself), so no
            # division by zero leaks into a derivative that ``where`` would mask anyway.
            operand = where_p(mask, sc.scatter(v, sel, x), out if neutral is None else neutral)
            out = where_p(mask, op(out, operand), out)
        return _cast(out, x)


class _At:
    __slots__ = ("x",)

    def __init__(self, x: Any) -> None:
        self.x = x

    def __getitem__(self, idx: Any) -> _IndexUpdate:
        idx = _clean_index(idx)
        if isinstance(idx, tuple):  # lists inside a tuple index are arrays too
            idx = tuple(np.asarray(p) if isinstance(p, list) else p for p in idx)
        return _IndexUpdate(self.x, idx)


@_export
def at(x: Any) -> _At:
    """Functional in-place updates: ``at(x)[idx].set(v)``, ``.add(v)``, ``.get()`` ...

    Each method returns a new array and leaves ``x`` alone, so it can be
    differentiated in both ``x`` and ``v`` (the replacement for ``x[idx] = v``,
    which traced values refuse).  Methods: ``get``, ``set``, ``add``,
    ``subtract``, ``multiply``, ``divide``, ``min``, ``max``.  As in JAX,
    repeated indices accumulate for ``add``, ``multiply`` ... and the last
    write wins for ``set``.
    """
    return _At(x if isinstance(x, Box) else np.asarray(x))


# -- repetition, padding, rolling ----------------------------------------------------------
@_export
def tile(A: Any, reps: Any) -> Any:  # noqa: N803 (NumPy's name)
    reps = tuple(int(r) for r in np.atleast_1d(unbox(reps)))
    s = tuple(shape_of(A))
    d = max(len(reps), len(s))
    s = (1,) * (d - len(s)) + s
    reps = (1,) * (d - len(reps)) + reps
    if any(r < 0 for r in reps):
        raise ValueError("negative dimensions are not allowed")
    if all(r == 1 for r in reps):
        return reshape_p(A, shape=s)
    # (s0, s1) -> (1, s0, 1, s1) -> (r0, s0, r1, s1) -> (r0*s0, r1*s1)
    a = reshape_p(A, shape=tuple(v for n in s for v in (1, n)))
    a = broadcast_to_p(a, shape=tuple(v for r, n in zip(reps, s) for v in (r, n)))
    return reshape_p(a, shape=tuple(r * n for r, n in zip(reps, s)))


@_export
def repeat(a: Any, repeats: Any, axis: int | None = None) -> Any:
    if axis is None:
        a, axis = ravel(a), 0
    s = tuple(shape_of(a))
    ax = _axis1(axis, len(s))
    reps = np.asarray(unbox(repeats))
    if reps.size == 1:
        r = int(reps.reshape(()))
        if r < 0:
            raise ValueError("negative dimensions are not allowed")
        head, tail = s[:ax + 1], s[ax + 1:]
        a = reshape_p(a, shape=head + (1,) + tail)
        a = broadcast_to_p(a, shape=head + (r,) + tail)
        return reshape_p(a, shape=s[:ax] + (s[ax] * r,) + tail)
    return _gather(a, ax, np.repeat(np.arange(s[ax]), reps))


def _as_pairs(x: Any, nd: int, name: str) -> np.ndarray:
    arr = np.asarray(x)
    try:
        return np.broadcast_to(arr, (nd, 2))
    except ValueError:
        raise ValueError(f"wengert.numpy.pad: {name} of shape {arr.shape} does not fit an "
                         f"array of {nd} dimensions") from None


_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


@_export
def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """``numpy.pad`` for the modes 'constant', 'edge', 'reflect', 'symmetric', 'wrap'."""
    if not isinstance(array, Box):
        array = np.asarray(array)
    nd = ndim(array)
    if isinstance(pad_width, dict):
        pw = np.zeros((nd, 2), np.intp)
        for ax, w in pad_width.items():
            pw[_axis1(ax, nd)] = np.broadcast_to(w, (2,))
    else:
        pw = _as_pairs(np.asarray(pad_width), nd, "pad_width")
    if pw.dtype.kind not in "iu":
        raise TypeError("`pad_width` must be of integral type.")
    if (pw < 0).any():
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        return _pad_constant(array, pw, _as_pairs(unbox(kwargs.pop("constant_values", 0)), nd,
                                                  "constant_values"), kwargs)
    if mode not in _INDEX_MODES:
        raise NotImplementedError(f"wengert.numpy.pad: mode {mode!r} is not supported; use "
                                  f"'constant' or one of {_INDEX_MODES}")
    if kwargs.pop("reflect_type", "even") != "even":
        raise NotImplementedError("wengert.numpy.pad: reflect_type='odd'")
    if kwargs:
        raise TypeError(f"wengert.numpy.pad: unsupported keywords {sorted(kwargs)}")
    out = array
    for ax in range(nd):
        before, after = (int(w) for w in pw[ax])
        if before or after:
            # NumPy pads an arange for us: entry k of the result copies entry idx[k].
            idx = np.pad(np.arange(shape_of(out)[ax]), (before, after), mode=mode)
            out = _gather(out, ax, idx)
    return out


def _pad_constant(array: Any, pw: np.ndarray, cv: np.ndarray, kwargs: dict) -> Any:
    if kwargs:
        raise TypeError(f"wengert.numpy.pad: unsupported keywords {sorted(kwargs)}")
    out, dt = array, dtype(array)

    def block(ax: int, side: int) -> np.ndarray:
        s = list(shape_of(out))
        s[ax] = int(pw[ax, side])
        return np.full(s, cv[ax, side], dtype=dt)

    # Axis by axis, so later axes pad the corners, as in NumPy.
    for ax in range(ndim(array)):
        parts = ([block(ax, 0)] if pw[ax, 0] else []) + [out] + (
            [block(ax, 1)] if pw[ax, 1] else [])
        if len(parts) > 1:
            out = concatenate_p(*parts, axis=ax)
    return out


@_export
def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        return reshape_p(roll(ravel(a), shift, 0), shape=shape_of(a))
    nd = ndim(a)
    total: dict[int, int] = {}
    for s, ax in np.broadcast(unbox(shift), axis):
        ax = _axis1(int(ax), nd)
        total[ax] = total.get(ax, 0) + int(s)
    for ax, s in total.items():
        n = shape_of(a)[ax]
        s = s % n if n else 0
        if s:
            a = concatenate_p(_gather(a, ax, slice(n - s, None)), _gather(a, ax, slice(0, n - s)),
                              axis=ax)
    return a


@_export
def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False,
             indexing: str = "xy") -> tuple:
    if not any(isinstance(x, Box) for x in xi):
        return np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    s0 = (1,) * nd
    out = [reshape(x, s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and nd > 1:
        out[0] = reshape(out[0], (1, -1) + s0[2:])
        out[1] = reshape(out[1], (-1, 1) + s0[2:])
    if not sparse:
        full = np.broadcast_shapes(*(shape_of(o) for o in out))
        out = [broadcast_to_p(o, shape=full) for o in out]
    return tuple(out)


@_export
def rot90(m: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Any:
    nd = ndim(m)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    a0, a1 = _axis1(axes[0], nd), _axis1(axes[1], nd)
    if a0 == a1:
        raise ValueError("Axes must be different.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    order = list(range(nd))
    order[a0], order[a1] = order[a1], order[a0]
    if k == 1:
        return transpose(flip(m, a1), order)
    return flip(transpose(m, order), a1)


@_export
def broadcast_arrays(*args: Any, subok: bool = False) -> tuple:
    if not any(isinstance(a, Box) for a in args):
        return np.broadcast_arrays(*args, subok=subok)
    full = np.broadcast_shapes(*(shape_of(a) for a in args))
    return tuple(a if shape_of(a) == full else broadcast_to_p(a, shape=full) for a in args)


@_export
@per_example(watch=(0,))
def choose(a: Any, choices: Sequence[Any], out: Any = None, mode: str = "raise") -> Any:
    _no_out("choose", out)
    idx = np.asarray(unbox(a))
    n = len(choices)
    idx = _apply_mode("choose", idx, n, mode)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError("invalid entry in choice array")
    full = np.broadcast_shapes(idx.shape, *(shape_of(c) for c in choices))
    stacked = stack([broadcast_to(c, full) for c in choices])
    # Entry i of the result is entry i of choice idx[i]: a gather along the stacking axis.
    return getitem_p(stacked, idx=(np.broadcast_to(idx, full),) + tuple(np.indices(full)))


# -- splitting and joining ---------------------------------------------------------------
@_export
def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    ax = _axis1(axis, ndim(ary))
    n = shape_of(ary)[ax]
    ios = unbox(indices_or_sections)
    if np.ndim(ios) == 0:
        sections = int(ios)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        bounds = [0] + [int(i) for i in ios] + [n]
    return [_gather(ary, ax, slice(lo, hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]


@_export
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    ios = unbox(indices_or_sections)
    if np.ndim(ios) == 0 and shape_of(ary)[_axis1(axis, ndim(ary))] % int(ios):
        raise ValueError("array split does not result in an equal division")
    return array_split(ary, ios, axis)


@_export
def hsplit(ary: Any, indices_or_sections: Any) -> list:
    if ndim(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if ndim(ary) > 1 else 0)


@_export
def vsplit(ary: Any, indices_or_sections: Any) -> list:
    if ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


@_export
def dsplit(ary: Any, indices_or_sections: Any) -> list:
    if ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


@_export
def unstack(x: Any, /, *, axis: int = 0) -> tuple:
    ax = _axis1(axis, ndim(x))
    return tuple(_gather(x, ax, i) for i in range(shape_of(x)[ax]))


@_export
def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    arr, values = traced_array(arr), traced_array(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


@_export
def delete(arr: Any, obj: Any, axis: int | None = None) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    ax = _axis1(axis, ndim(arr))
    keep = np.delete(np.arange(shape_of(arr)[ax]), unbox(obj))
    return _gather(arr, ax, keep)


@_export
def insert(arr: Any, obj: Any, values: Any, axis: int | None = None) -> Any:
    arr = arr if isinstance(arr, Box) else np.asarray(arr)
    values = values if isinstance(values, Box) else np.asarray(values)
    n, vshape = _size(shape_of(arr)), shape_of(values)
    # NumPy inserts entry numbers for us; gathering them from [arr, values] is the insert.
    src = np.insert(np.arange(n).reshape(shape_of(arr)), unbox(obj),
                    np.arange(n, n + _size(vshape)).reshape(vshape), axis=axis)
    flat = concatenate([ravel(arr), ravel(values)], axis=0)
    return _cast(getitem_p(flat, idx=src), arr)


# -- differences and integrals -------------------------------------------------------------
def _edge(a: Any, ax: int, v: Any) -> Any:
    """A ``prepend``/``append`` value as a slab of ``a``'s shape, one thick along ``ax``."""
    if ndim(v) == 0:
        s = list(shape_of(a))
        s[ax] = 1
        return broadcast_to_p(v, shape=tuple(s))
    return v


@_export
def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = _NOVALUE,
         append: Any = _NOVALUE) -> Any:
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if ndim(a) == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    if dtype(a) == np.bool_:
        return np.diff(unbox(a), n, axis, prepend=unbox(prepend), append=unbox(append))
    ax = _axis1(axis, ndim(a))
    parts = [a]
    if prepend is not _NOVALUE:
        parts.insert(0, _edge(a, ax, prepend))
    if append is not _NOVALUE:
        parts.append(_edge(a, ax, append))
    if len(parts) > 1:
        a = concatenate(parts, axis=ax)
    for _ in range(n):
        a = _gather(a, ax, slice(1, None)) - _gather(a, ax, slice(None, -1))
    return a


@_export
def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    a = ravel(ary)
    parts = [_gather(a, 0, slice(1, None)) - _gather(a, 0, slice(None, -1))]
    if to_begin is not None:
        parts.insert(0, _cast(ravel(to_begin), a))
    if to_end is not None:
        parts.append(_cast(ravel(to_end), a))
    return concatenate(parts) if len(parts) > 1 else parts[0]


@_export
def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    if not isinstance(y, Box):
        y = np.asarray(y)
    nd = ndim(y)
    ax = _axis1(axis, nd)
    if x is None:
        d = dx
    elif ndim(x) == 1:
        d = diff(x)
        s = [1] * nd
        s[ax] = shape_of(d)[0]
        d = reshape(d, s)
    else:
        d = diff(x, axis=ax)
    # Same operations in the same order as NumPy, for identical values.
    return red.sum(d * (_gather(y, ax, slice(1, None)) + _gather(y, ax, slice(None, -1))) / 2.0,
                   ax)


def _spacings(varargs: tuple, f_shape: tuple, axes: tuple) -> list:
    """One step per axis: a scalar, or the 1-D steps between coordinates (as NumPy)."""
    if any(isinstance(v, Box) for v in varargs):
        raise TypeError("wengert.numpy.gradient: spacings are not differentiated; pass "
                        "constants (wengert.stop_gradient)")
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return list(varargs) * len(axes)
    if len(varargs) != len(axes):
        raise TypeError("invalid number of arguments")
    out = []
    for ax, d in zip(axes, varargs):
        d = np.asarray(d)
        if d.ndim == 0:
            out.append(d[()])
            continue
        if d.ndim != 1 or len(d) != f_shape[ax]:
            raise ValueError("when 1d, distances must match the length of the corresponding "
                             "dimension")
        steps = np.diff(d.astype(np.float64) if d.dtype.kind in "iu" else d)
        out.append(steps[0] if (steps == steps[0]).all() else steps)
    return out


def _edge_weights(h: Any, first: bool) -> tuple:
    """Second-order one-sided weights at the first or last sample (NumPy's formulas)."""
    if np.ndim(h) == 0:
        return (-1.5 / h, 2.0 / h, -0.5 / h) if first else (0.5 / h, -2.0 / h, 1.5 / h)
    if first:
        d1, d2 = h[0], h[1]
        return (-(2.0 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2),
                -d1 / (d2 * (d1 + d2)))
    d1, d2 = h[-2], h[-1]
    return (d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2.0 * d2 + d1) / (d2 * (d1 + d2)))


def _axis_gradient(f: Any, ax: int, h: Any, edge_order: int) -> Any:
    if shape_of(f)[ax] < edge_order + 1:
        raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                         "least (edge_order + 1) elements are required.")

    def part(lo: int | None, hi: int | None) -> Any:
        return _gather(f, ax, slice(lo, hi))

    if np.ndim(h) == 0:
        inner = (part(2, None) - part(None, -2)) / (2.0 * h)
    else:
        col = [-1 if d == ax else 1 for d in range(ndim(f))]
        d1, d2 = h[:-1], h[1:]
        a = (-d2 / (d1 * (d1 + d2))).reshape(col)
        b = ((d2 - d1) / (d1 * d2)).reshape(col)
        c = (d1 / (d2 * (d1 + d2))).reshape(col)
        inner = a * part(None, -2) + b * part(1, -1) + c * part(2, None)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / (h if np.ndim(h) == 0 else h[0])
        last = (part(-1, None) - part(-2, -1)) / (h if np.ndim(h) == 0 else h[-1])
    else:
        a, b, c = _edge_weights(h, True)
        first = a * part(0, 1) + b * part(1, 2) + c * part(2, 3)
        a, b, c = _edge_weights(h, False)
        last = a * part(-3, -2) + b * part(-2, -1) + c * part(-1, None)
    return concatenate_p(first, inner, last, axis=ax)


@_export
def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """``numpy.gradient``, differentiable in ``f`` (the spacings are constants)."""
    if not isinstance(f, Box):
        f = np.asarray(f)
    if dtype(f).kind not in "fc":
        f = astype(f, np.float64)
    axes = tuple(range(ndim(f))) if axis is None else tuple(
        _axis1(a, ndim(f)) for a in np.atleast_1d(axis))
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    steps = _spacings(varargs, shape_of(f), axes)
    out = tuple(_axis_gradient(f, ax, h, edge_order) for ax, h in zip(axes, steps))
    return out[0] if len(out) == 1 else out


# -- NaN-ignoring reductions -----------------------------------------------------------------
def _nan_mask(a: Any) -> np.ndarray | None:
    """Where ``a`` is NaN (None for integer arrays, which hold no NaN)."""
    v = np.asarray(unbox(a))
    return np.isnan(v) if v.dtype.kind in "fc" else None


def _nan_to(a: Any, fill: float) -> tuple[Any, np.ndarray | None]:
    mask = _nan_mask(a)
    if mask is None or not mask.any():
        return a, mask
    return where_p(mask, fill, a), mask


def _count(mask: np.ndarray | None, a: Any, axis: Any, keepdims: bool) -> Any:
    if mask is None:
        mask = np.zeros(shape_of(a), np.bool_)
    return np.sum(~mask, axis=axis, keepdims=keepdims, dtype=np.intp)


def _empty_to_nan(value: Any, empty: np.ndarray, message: str) -> Any:
    if not np.any(empty):
        return value
    warnings.warn(message, RuntimeWarning, stacklevel=3)
    return where_p(empty, np.nan, value)


@_export
@per_example
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: Any = _NOVALUE) -> Any:
    _no_out("nansum", out)
    return red.sum(_nan_to(a, 0.0)[0], axis, dtype, keepdims=_keepdims(keepdims))


@_export
@per_example
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: Any = _NOVALUE) -> Any:
    _no_out("nanprod", out)
    return red.prod(_nan_to(a, 1.0)[0], axis, dtype, keepdims=_keepdims(keepdims))


@_export
@per_example
def nancumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out("nancumsum", out)
    return red.cumsum(_nan_to(a, 0.0)[0], axis)


@_export
@per_example
def nancumprod(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out("nancumprod", out)
    return red.cumprod(_nan_to(a, 1.0)[0], axis)


def _nan_extreme(name: str, reduce: Any, fill: float, a: Any, axis: Any, out: Any,
                 keepdims: Any) -> Any:
    _no_out(name, out)
    filled, mask = _nan_to(a, fill)
    kd = _keepdims(keepdims)
    res = reduce(filled, axis, keepdims=kd)
    if mask is None:
        return res
    return _empty_to_nan(res, np.all(mask, axis=axis, keepdims=kd), "All-NaN slice encountered")


@_export
@per_example
def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: Any = _NOVALUE) -> Any:
    return _nan_extreme("nanmax", red.max, -np.inf, a, axis, out, keepdims)


@_export
@per_example
def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: Any = _NOVALUE) -> Any:
    return _nan_extreme("nanmin", red.min, np.inf, a, axis, out, keepdims)


def _safe_divide(total: Any, count: Any, message: str) -> Any:
    empty = np.asarray(count) <= 0
    return _empty_to_nan(total / np.where(empty, 1, count), empty, message)


@_export
@per_example
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: Any = _NOVALUE) -> Any:
    _no_out("nanmean", out)
    filled, mask = _nan_to(a, 0.0)
    kd = _keepdims(keepdims)
    axes = normalize_axis(axis, ndim(a))
    total = red.sum(filled, axes, dtype, keepdims=kd)
    return _safe_divide(total, _count(mask, a, axes, kd), "Mean of empty slice")


@_export
@per_example
def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: Any = _NOVALUE) -> Any:
    _no_out("nanvar", out)
    filled, mask = _nan_to(a, 0.0)
    kd = _keepdims(keepdims)
    axes = normalize_axis(axis, ndim(a))
    avg = red.sum(filled, axes, dtype, keepdims=True) / _count(mask, a, axes, True)
    dev = filled - avg
    if mask is not None and mask.any():
        dev = where_p(mask, 0.0, dev)
    sq = (dev * conj(dev)).real if np.iscomplexobj(unbox(a)) else dev * dev
    total = red.sum(sq, axes, dtype, keepdims=kd)
    return _safe_divide(total, _count(mask, a, axes, kd) - ddof,
                        "Degrees of freedom <= 0 for slice.")


@_export
@per_example
def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: Any = _NOVALUE) -> Any:
    return red.sqrt_of_var(nanvar(a, axis, dtype, out, ddof, keepdims))


# -- selection --------------------------------------------------------------------------
@_export
def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Any:
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    conds = [np.asarray(unbox(c)) for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype != np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    # The first true condition wins, so the first choice is applied last.
    out = default
    for c, choice in zip(conds[::-1], list(choicelist)[::-1]):
        out = where_p(c, choice, out)
    return out


@_export
@per_example
def piecewise(x: Any, condlist: Any, funclist: Sequence[Any], *args: Any, **kw: Any) -> Any:
    if not isinstance(x, Box):
        x = np.asarray(x)
    conds = condlist
    if np.isscalar(conds) or (not isinstance(conds[0], (list, np.ndarray, Box))
                              and ndim(x) != 0):
        conds = [conds]
    conds = np.asarray([unbox(c) for c in conds], dtype=bool)
    if len(conds) == len(funclist) - 1:
        conds = np.concatenate([conds, ~np.any(conds, axis=0, keepdims=True)], axis=0)
    elif len(conds) != len(funclist):
        raise ValueError(f"with {len(conds)} condition(s), either {len(conds)} or "
                         f"{len(conds) + 1} functions are expected")
    y: Any = np.zeros(shape_of(x), dtype(x))
    for cond, func in zip(conds, funclist):
        if not callable(func):
            y = at(y)[cond].set(func)
        elif cond.any():
            # Like NumPy, each function sees only its own entries (no NaN from the others).
            y = at(y)[cond].set(func(getitem_p(x, idx=cond), *args, **kw))
    return y


# -- interpolation --------------------------------------------------------------------------
def _periodic(x: Any, xp: Any, fp: Any, period: Any) -> tuple:
    period = abs(float(unbox(period)))
    if period == 0:
        raise ValueError("period must be a non-zero value")
    x = remainder(x, period) if isinstance(x, Box) else np.asarray(x, np.float64) % period
    xp = remainder(xp, period) if isinstance(xp, Box) else np.asarray(xp, np.float64) % period
    order = np.argsort(unbox(xp))
    xp, fp = getitem_p(xp, idx=order), getitem_p(fp, idx=order)
    xp = concatenate_p(getitem_p(xp, idx=slice(-1, None)) - period, xp,
                       getitem_p(xp, idx=slice(0, 1)) + period, axis=0)
    fp = concatenate_p(getitem_p(fp, idx=slice(-1, None)), fp, getitem_p(fp, idx=slice(0, 1)),
                       axis=0)
    return x, xp, fp


@_export
@per_example
def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """``numpy.interp``, differentiable in ``x``, ``xp``, ``fp``, ``left`` and ``right``.

    At a sample point the derivative in ``x`` is the slope to its right (as in JAX).
    """
    if period is not None:
        x, xp, fp = _periodic(x, xp, fp, period)
        left = right = None
    xv, xpv = np.asarray(unbox(x), np.float64), np.asarray(unbox(xp), np.float64)
    fpv = np.asarray(unbox(fp))
    if xpv.ndim != 1 or fpv.ndim != 1:
        raise ValueError("object too deep for desired array")
    if xpv.shape != fpv.shape:
        raise ValueError("fp and xp are not of the same length.")
    if xpv.size == 0:
        raise ValueError("array of sample points is empty")
    x = x if isinstance(x, Box) else xv
    xp = xp if isinstance(xp, Box) else xpv
    if not isinstance(fp, Box):
        fp = fpv if fpv.dtype.kind in "fc" else fpv.astype(np.float64)
    n = xpv.size
    j = np.clip(np.searchsorted(xpv, xv, side="right") - 1, 0, max(n - 2, 0))
    j1 = np.minimum(j + 1, n - 1)
    y0 = getitem_p(fp, idx=j)
    if n == 1:
        inner = y0
    else:
        slope = (getitem_p(fp, idx=j1) - y0) / (getitem_p(xp, idx=j1) - getitem_p(xp, idx=j))
        # NumPy's formula from the left end of the interval, except at the last sample
        # point, where anchoring at the right end gives fp[-1] exactly.
        anchor = np.where(xv == xpv[-1], j1, j)
        inner = slope * (x - getitem_p(xp, idx=anchor)) + getitem_p(fp, idx=anchor)
    lo = getitem_p(fp, idx=0) if left is None else left
    hi = getitem_p(fp, idx=n - 1) if right is None else right
    out = where_p(xv < xpv[0], lo, where_p(xv > xpv[-1], hi, inner))
    return out[()] if not isinstance(out, Box) and np.ndim(out) == 0 else out  # NumPy's scalar


# -- 1-D convolution ------------------------------------------------------------------------
def _window(mode: str, n: int, m: int, corr: bool) -> tuple[int, int]:
    """Where ``mode``'s output sits in the full output: ``(start, length)``."""
    lo, hi = min(n, m), max(n, m)
    if mode == "full":
        return 0, n + m - 1
    if mode == "valid":
        return lo - 1, hi - lo + 1
    if mode == "same":  # NumPy centres correlate differently when v is the longer one
        return (n // 2 if corr and n < m else (lo - 1) // 2), hi
    raise ValueError(f"mode must be one of 'full', 'same' or 'valid', not {mode!r}")


def _full_cotangent(g: Any, a: Any, v: Any, mode: str, corr: bool) -> Any:
    """The cotangent of the full-mode output: ``g`` in its window, zeros around."""
    n, m = shape_of(a)[0], shape_of(v)[0]
    start, length = _window(mode, n, m, corr)
    if mode == "full":
        return g
    return pad(g, [(start, n + m - 1 - start - length)])


def _plain_conj(v: Any) -> Any:
    return np.conj(v) if np.iscomplexobj(v) else v


# Both are bilinear; their transposes are full-mode correlations/convolutions cut to 'valid'.
convolve_p = defprim("convolve", lambda a, v, mode: np.convolve(a, v, mode), keep_ans=False)
# Correlation without NumPy's conjugation of ``v`` (wnp.correlate conjugates first).
correlate_p = defprim("correlate", lambda a, v, mode: np.correlate(a, _plain_conj(v), mode),
                      keep_ans=False)
convolve_p.deflinear(2).defvjp(
    lambda g, ans, a, v, mode: correlate_p(_full_cotangent(g, a, v, mode, False), v,
                                           mode="valid"),
    lambda g, ans, a, v, mode: correlate_p(_full_cotangent(g, a, v, mode, False), a,
                                           mode="valid"))
correlate_p.deflinear(2).defvjp(
    lambda g, ans, a, v, mode: convolve_p(_full_cotangent(g, a, v, mode, True), v,
                                          mode="valid"),
    lambda g, ans, a, v, mode: flip(correlate_p(_full_cotangent(g, a, v, mode, True), a,
                                                mode="valid"), 0))


def _vector(a: Any) -> Any:
    if not isinstance(a, Box):
        a = np.asarray(a)
    if ndim(a) == 0:
        return reshape_p(a, shape=(1,))
    if ndim(a) > 1:
        raise ValueError("object too deep for desired array")
    return a


@_export
def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    a, v = _vector(a), _vector(v)
    _window(mode, 1, 1, False)  # check the mode
    return convolve_p(a, v, mode=mode)


@_export
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    a, v = _vector(a), _vector(v)
    _window(mode, 1, 1, True)
    if np.iscomplexobj(unbox(v)):
        v = conj(v)
    return correlate_p(a, v, mode=mode)


# -- batching (vmap) ------------------------------------------------------------------------
# NumPy's convolve and correlate take 1-D arrays only: one call per example.
for _p in (convolve_p, correlate_p):
    _p.defbatch((lambda p: lambda args, dims, **kw: loop_batch(p, args, dims,
                                                              batch_size(args, dims), kw))(_p))
