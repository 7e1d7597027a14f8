"""Shape and indexing primitives: reshape, transpose, broadcast, getitem, concatenate.

All of these are linear, so their JVP is the primitive applied to the tangent
and their VJP is the transpose: reshape back, transpose back, sum the
broadcast away, scatter-add into zeros, slice the concatenation apart.
The functions built on top of them (``swapaxes``, ``stack``, ``flip`` ...)
need no rules of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.batching import has_batch
from ..core.tracing import Box, contains_box, pack_sequence, unbox
from ._simplify import same
from ._util import (
    all_front,
    defprim,
    dtype,
    exporter,
    ndim,
    normalize_axis,
    to_front,
    unbroadcast,
)
from ._util import dtype as _util_dtype
from ._util import shape as shape_of

__all__: list[str] = []


_export = exporter(__all__, globals())


# -- primitives ----------------------------------------------------------------
reshape_p = defprim("reshape", lambda x, shape: x.reshape(shape) if type(x) is np.ndarray
                    else np.reshape(x, shape),
                    keep_args=False, keep_ans=False)
reshape_p.deflinear().defvjp(lambda g, ans, x, shape: reshape_p(g, shape=shape_of(x)))

transpose_p = defprim("transpose", lambda x, axes: x.transpose(axes) if type(x) is np.ndarray
                      else np.transpose(x, axes),
                      keep_args=False, keep_ans=False)
transpose_p.deflinear().defvjp(
    lambda g, ans, x, axes: transpose_p(g, axes=tuple(np.argsort(axes))))

broadcast_to_p = defprim("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                         keep_args=False, keep_ans=False)
broadcast_to_p.deflinear().defvjp(lambda g, ans, x, shape: unbroadcast(g, x))


# -- simplification (jit's optimiser; the contract is in rules/_simplify.py) ------------
def _simplify_reshape(ins: tuple, params: dict, out: Any, ctx: Any) -> Any:
    (a,) = ins
    if same(out, a, ctx):
        return a
    d = ctx.made_by(a, reshape_p)
    if d is not None:
        if same(out, d.inputs[0], ctx):
            return d.inputs[0]
        return reshape_p, d.inputs, params  # reshape(reshape(x)) = reshape(x)
    return None


def _axes(axes: Any, n: int) -> tuple:
    return tuple(reversed(range(n))) if axes is None else tuple(int(i) % n for i in axes)


def _simplify_transpose(ins: tuple, params: dict, out: Any, ctx: Any) -> Any:
    (a,) = ins
    n = len(out.shape)
    mine = _axes(params.get("axes"), n)
    if ctx.is_var(a) and mine == tuple(range(n)) and same(out, a, ctx):
        return a
    d = ctx.made_by(a, transpose_p)
    if d is not None:
        inner = _axes(d.params.get("axes"), n)
        both = tuple(inner[i] for i in mine)
        x = d.inputs[0]
        if both == tuple(range(n)) and same(out, x, ctx):
            return x  # (xᵀ)ᵀ = x
        return transpose_p, (x,), {**params, "axes": both}
    return None


reshape_p.simplify = _simplify_reshape
transpose_p.simplify = _simplify_transpose


def _getitem(x: Any, idx: Any) -> Any:
    return np.asarray(x)[idx]


def _untake(g: Any, idx: Any, shape: tuple, dtype: Any) -> Any:
    """Scatter-add ``g`` into zeros of ``shape`` at ``idx`` (the transpose of indexing)."""
    out = np.zeros(shape, dtype=np.result_type(dtype, np.asarray(g).dtype))
    np.add.at(out, idx, g)
    return out


getitem_p = defprim("getitem", _getitem, keep_args=False, keep_ans=False)
untake_p = defprim("untake", _untake, keep_args=False, keep_ans=False)
getitem_p.deflinear().defvjp(
    lambda g, ans, x, idx: untake_p(g, idx=idx, shape=shape_of(x), dtype=dtype(x)))
untake_p.deflinear().defvjp(lambda g, ans, x, idx, shape, dtype: getitem_p(g, idx=idx))


def _concatenate(*xs: Any, axis: int) -> Any:
    return np.concatenate(xs, axis=axis)


concatenate_p = defprim("concatenate", _concatenate, keep_args=False, keep_ans=False)


def _concat_jvp(argnum: int, t: Any, ans: Any, *xs: Any, axis: int) -> Any:
    parts = [t if i == argnum else np.zeros(shape_of(x), dtype(t)) for i, x in enumerate(xs)]
    return concatenate_p(*parts, axis=axis)


def _concat_vjp(argnum: int, g: Any, ans: Any, *xs: Any, axis: int) -> Any:
    start = sum(shape_of(x)[axis] for x in xs[:argnum])
    idx = (slice(None),) * axis + (slice(start, start + shape_of(xs[argnum])[axis]),)
    return getitem_p(g, idx=idx)


concatenate_p.defjvp_argnum(_concat_jvp).defvjp_argnum(_concat_vjp)

astype_p = defprim("astype", lambda x, dtype: np.asarray(x).astype(dtype),
                   keep_args=False, keep_ans=False)
astype_p.defjvp(lambda t, ans, x, dtype: astype_p(t, dtype=ans.dtype)
                if np.dtype(ans.dtype).kind in "fc" else None)
# A cast to integers or booleans is piecewise constant: no derivative, in either mode.
astype_p.defvjp(lambda g, ans, x, dtype: _cast_cotangent(g, x)
                if _util_dtype(ans).kind in "fc" else None)


def _cast_cotangent(g: Any, x: Any) -> Any:
    target = dtype(x)
    if target.kind not in "fc":
        return None
    if dtype(g).kind == "c" and target.kind != "c":
        from .elementwise import real
        g = real(g)
    return g if dtype(g) == target else astype_p(g, dtype=target)


# -- NumPy functions built on them ------------------------------------------------
def _clean_index(idx: Any) -> Any:
    """Indices are never differentiated: strip boxes from them."""
    if isinstance(idx, tuple):
        return tuple(unbox(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray([unbox(i) for i in idx])
    return unbox(idx)


def getitem(x: Any, idx: Any) -> Any:
    """``x[idx]`` for basic and advanced indices."""
    if has_batch(idx):  # an index that differs across the batch (vmap)
        if any(_dtype_of_index(i).kind == "b" for i in (idx if isinstance(idx, tuple)
                                                        else (idx,))):
            raise ValueError(
                "vmap: a boolean mask that differs across the batch gives each example a "
                "result of its own shape, which cannot be batched; use "
                "wnp.where(mask, x, 0.0) instead")
        return _getitem_per_example(x, idx)
    return getitem_p(x, idx=_clean_index(idx))


def _dtype_of_index(i: Any) -> Any:
    return np.result_type(unbox(i)) if isinstance(i, Box) or isinstance(i, np.ndarray) \
        else np.dtype(object)


def _getitem_per_example(x: Any, idx: Any) -> Any:
    from ..core.batching import per_example
    return per_example(getitem)(x, idx)


def _index_order(a: Any, order: str | None, fname: str) -> str:
    """'C' or 'F': the index order that ``order`` means for ``a`` (as NumPy reads it, 'A'
    is 'F' for a value laid out in Fortran order)."""
    if order in ("C", "F"):
        return order
    if order == "A":
        return "F" if np.isfortran(np.asarray(unbox(a))) else "C"
    raise ValueError(f"wengert.numpy.{fname}: order must be one of 'C', 'F', 'A', not {order!r}")


def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None,
            copy: bool | None = None) -> Any:
    shape = newshape if shape is None else shape
    target = np.empty(shape_of(a), dtype=np.bool_).reshape(shape).shape  # resolve -1
    if _index_order(a, order, "reshape") == "F":
        # Fortran order is C order on the reversed axes: reverse, reshape, reverse back.
        return transpose_p(reshape_p(transpose(a), shape=target[::-1]),
                           axes=tuple(range(len(target)))[::-1])
    return reshape_p(a, shape=target)


def transpose(a: Any, axes: Sequence[int] | None = None) -> Any:
    nd = ndim(a)
    axes = tuple(range(nd))[::-1] if axes is None else tuple(int(i) % nd for i in axes)
    return transpose_p(a, axes=axes)


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(ndim(a)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose_p(a, axes=tuple(axes))


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    nd = ndim(a)
    src = [s % nd for s in np.atleast_1d(source)]
    dst = [d % nd for d in np.atleast_1d(destination)]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose_p(a, axes=tuple(order))


def broadcast_to(array: Any, shape: Any) -> Any:
    shape = (shape,) if np.isscalar(shape) else tuple(shape)
    return broadcast_to_p(array, shape=shape)


def expand_dims(a: Any, axis: Any) -> Any:
    return reshape_p(a, shape=np.expand_dims(np.empty(shape_of(a), np.bool_), axis).shape)


def squeeze(a: Any, axis: Any = None) -> Any:
    return reshape_p(a, shape=np.squeeze(np.empty(shape_of(a), np.bool_), axis).shape)


def ravel(a: Any, order: str = "C") -> Any:
    if order == "K":  # memory order: NumPy's to read on plain arrays, no meaning for traced
        if isinstance(a, Box):
            raise NotImplementedError("wengert.numpy.ravel: order='K' is not supported on "
                                      "traced values; use 'C' or 'F'")
        return np.ravel(a, order)
    return reshape(a, (-1,), order)


def concatenate(arrays: Sequence[Any], axis: int | None = 0, **kwargs: Any) -> Any:
    if kwargs:
        raise TypeError(f"wengert.numpy.concatenate: unsupported arguments {sorted(kwargs)}")
    arrays = [traced_array(a) for a in arrays]
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    nd = ndim(arrays[0])
    (axis,) = normalize_axis(axis, nd)  # type: ignore[misc]
    return concatenate_p(*arrays, axis=axis)


def stack(arrays: Sequence[Any], axis: int = 0) -> Any:
    arrays = [traced_array(a) for a in arrays]
    if not arrays:
        raise ValueError("wengert.numpy.stack: need at least one array to stack")
    nd = ndim(arrays[0]) + 1
    axis = axis % nd
    return concatenate_p(*[expand_dims(a, axis) for a in arrays], axis=axis)


def atleast_1d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 1 else reshape_p(a, shape=(1,)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys: Any) -> Any:
    out = []
    for a in arys:
        nd = ndim(a)
        out.append(a if nd >= 2 else reshape_p(a, shape=(1,) * (2 - nd) + tuple(shape_of(a))))
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys: Any) -> Any:
    out = []
    for a in arys:
        s = tuple(shape_of(a))
        new = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)
        out.append(a if new == s else reshape_p(a, shape=new))
    return out[0] if len(out) == 1 else out


def hstack(tup: Sequence[Any]) -> Any:
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if ndim(arrs[0]) == 1 else 1)


def vstack(tup: Sequence[Any]) -> Any:
    return concatenate([atleast_2d(a) for a in tup], axis=0)


row_stack = vstack


def dstack(tup: Sequence[Any]) -> Any:
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup: Sequence[Any]) -> Any:
    cols = [reshape_p(a, shape=(shape_of(a)[0], 1)) if ndim(a) == 1 else a for a in tup]
    return concatenate(cols, axis=1)


def flip(m: Any, axis: Any = None) -> Any:
    nd = ndim(m)
    axes = range(nd) if axis is None else normalize_axis(axis, nd)
    idx = [slice(None)] * nd
    for a in axes:  # type: ignore[union-attr]
        idx[a] = slice(None, None, -1)
    return getitem_p(m, idx=tuple(idx))


def fliplr(m: Any) -> Any:
    return flip(m, 1)


def flipud(m: Any) -> Any:
    return flip(m, 0)


def astype(x: Any, dtype: Any) -> Any:
    return astype_p(x, dtype=np.dtype(dtype))


def array(obj: Any, dtype: Any = None, copy: bool = True, **kwargs: Any) -> Any:
    """``numpy.array`` that stacks traced values found in nested lists."""
    if isinstance(obj, Box):
        return obj if dtype is None else astype(obj, dtype)
    if isinstance(obj, (list, tuple)) and _contains_box(obj):
        _check_rectangular(obj)
        out = stack([array(o) for o in obj])
        return out if dtype is None else astype(out, dtype)
    return np.array(obj, dtype=dtype, copy=copy, **kwargs)


def _nested_shape(obj: Any) -> tuple | None:
    """The shape ``numpy.array`` would give nested lists of arrays, or None if ragged."""
    if type(obj) not in (list, tuple):
        return tuple(np.shape(obj))
    inner = {_nested_shape(o) for o in obj}
    if None in inner or len(inner) > 1:
        return None
    return (len(obj),) + (inner.pop() if inner else ())


def _check_rectangular(obj: Any) -> None:
    """NumPy's error for a ragged nested sequence, naming the entries that differ."""
    if _nested_shape(obj) is not None:
        return
    level, shape = [obj], []
    while True:
        seqs = [type(o) in (list, tuple) for o in level]
        if all(seqs) and len({len(o) for o in level}) == 1:
            shape.append(len(level[0]))
            level = [x for o in level for x in o]
            continue
        lengths = [len(o) if seq else np.shape(o) for o, seq in zip(level, seqs)]
        raise ValueError(
            f"setting an array element with a sequence. The requested array has an "
            f"inhomogeneous shape after {len(shape)} dimensions. The detected shape was "
            f"{tuple(shape)} + inhomogeneous part. (wengert.numpy.array: the entries at depth "
            f"{len(shape)} have lengths or shapes {lengths[:8]}"
            f"{' ...' if len(lengths) > 8 else ''}; make every row as long as the others)")


def asarray(a: Any, dtype: Any = None, **kwargs: Any) -> Any:
    if isinstance(a, Box) or (isinstance(a, (list, tuple)) and _contains_box(a)):
        return array(a, dtype=dtype)
    return np.asarray(a, dtype=dtype, **kwargs)


_contains_box = contains_box
pack_sequence[0] = array


def traced_array(a: Any) -> Any:
    """``a``, or the traced array it spells if it is a list or tuple holding traced values."""
    return array(a) if type(a) in (list, tuple) and contains_box(a) else a


# A copy: on traced values an identity with its own array (Tensor.clone, np.copy(x)).
copy_p = defprim("copy", lambda x: np.array(x, copy=True), keep_args=False, keep_ans=False)
copy_p.deflinear().defvjp(lambda g, ans, x: g)


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    return copy_p(traced_array(a)) if isinstance(a, Box) or type(a) in (list, tuple) \
        else np.copy(a, order=order, subok=subok)


for _fn in [getitem, reshape, transpose, swapaxes, moveaxis, broadcast_to, expand_dims,
            squeeze, ravel, concatenate, stack, atleast_1d, atleast_2d, atleast_3d, hstack,
            vstack, dstack, column_stack, flip, fliplr, flipud, array, asarray, astype, copy]:
    _export(_fn)
_export(vstack, "row_stack")
_export(transpose, "permute_dims")  # NumPy 2's array-API names for the same functions
_export(concatenate, "concat")


# -- batching (vmap) -------------------------------------------------------------------
# Shapes and axes are the example's; each rule moves the batch axis first (or keeps it
# where a view allows) and adds it to the parameters.
def _batch_reshape(args: Any, dims: Any, shape: tuple) -> tuple:
    x = to_front(args[0], dims[0])
    return reshape_p(x, shape=(shape_of(x)[0],) + tuple(shape)), 0


def _batch_transpose(args: Any, dims: Any, axes: Any) -> tuple:
    d = dims[0]
    nd = ndim(args[0]) - 1
    axes = tuple(range(nd))[::-1] if axes is None else axes
    raw = [a % nd if a % nd < d else a % nd + 1 for a in axes]  # example axis -> value axis
    return transpose_p(args[0], axes=(d, *raw)), 0


def _batch_broadcast_to(args: Any, dims: Any, shape: tuple) -> tuple:
    x = to_front(args[0], dims[0])
    s = shape_of(x)
    extra = len(shape) - (len(s) - 1)
    if extra:
        x = reshape_p(x, shape=(s[0],) + (1,) * extra + s[1:])
    return broadcast_to_p(x, shape=(s[0],) + tuple(shape)), 0


def _advanced(i: Any) -> bool:
    return isinstance(i, list) or (isinstance(i, np.ndarray) and i.ndim > 0)


def batch_index(idx: Any) -> tuple[tuple, int]:
    """``idx`` for a value with a batch axis first, and where that axis ends up: first,
    unless advanced indices are split by slices (NumPy then puts their axes first)."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    new = (slice(None),) + idx
    arrays = [i for i, e in enumerate(new) if _advanced(e)]
    if not arrays:
        return new, 0
    adv = [i for i, e in enumerate(new) if _advanced(e) or isinstance(e, (int, np.integer))]
    if adv[-1] - adv[0] + 1 == len(adv):  # adjacent: their axes stay in place, after ours
        return new, 0
    nd = len(np.broadcast_shapes(*[np.shape(np.nonzero(e)[0]) if np.asarray(e).dtype == bool
                                   else np.shape(e) for e in new if _advanced(e)]))
    return new, nd


def _batch_getitem(args: Any, dims: Any, idx: Any) -> tuple:
    new, at = batch_index(idx)
    return getitem_p(to_front(args[0], dims[0]), idx=new), at


def _batch_untake(args: Any, dims: Any, idx: Any, shape: tuple, dtype: Any) -> tuple:
    from ._util import moveaxis as _move
    new, at = batch_index(idx)
    g = args[0]
    size = shape_of(g)[dims[0]]
    return untake_p(_move(g, dims[0], at), idx=new, shape=(size,) + tuple(shape),
                    dtype=dtype), 0


def _batch_concatenate(args: Any, dims: Any, axis: int) -> tuple:
    xs = all_front(args, dims)
    return concatenate_p(*xs, axis=axis % (ndim(xs[0]) - 1) + 1), 0


def _same_axis(prim: Any) -> Any:
    return lambda args, dims, **params: (prim(args[0], **params), dims[0])


reshape_p.defbatch(_batch_reshape)
transpose_p.defbatch(_batch_transpose)
broadcast_to_p.defbatch(_batch_broadcast_to)
getitem_p.defbatch(_batch_getitem)
untake_p.defbatch(_batch_untake)
concatenate_p.defbatch(_batch_concatenate)
astype_p.defbatch(_same_axis(astype_p))
copy_p.defbatch(_same_axis(copy_p))
