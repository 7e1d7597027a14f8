"""Reductions: sum, prod, max/min, cumulative sums and products.

Each rule first restores the reduced axes of the adjoint (``keepdims``) and
then broadcasts it back over the input.  ``mean``, ``var`` and ``std`` are
compositions of primitives and need no rules of their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.tracing import unbox
from ._util import defprim, dtype, exporter, ndim, normalize_axis, shape
from .elementwise import conj, equal, sqrt
from .shape import broadcast_to_p, flip, reshape, reshape_p

__all__: list[str] = []


_export = exporter(__all__, globals())


def _keepdims_shape(xshape: tuple, axis: tuple | None) -> tuple:
    if axis is None:
        return (1,) * len(xshape)
    return tuple(1 if i in axis else d for i, d in enumerate(xshape))


def _restore(g: Any, x: Any, axis: tuple | None, keepdims: bool) -> Any:
    """Bring the adjoint of a reduction back to keepdims form."""
    if keepdims:
        return g
    return reshape_p(g, shape=_keepdims_shape(shape(x), axis))


# -- sum ---------------------------------------------------------------------------
sum_p = defprim("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
                keep_args=False, keep_ans=False)
sum_p.deflinear().defvjp(
    lambda g, ans, x, axis=None, keepdims=False:
        broadcast_to_p(_restore(g, x, axis, keepdims), shape=shape(x)))


def _reduce_args(fname: str, a: Any, axis: Any, dtype: Any, out: Any, kw: dict) -> tuple | None:
    if out is not None:
        raise TypeError(f"wengert.numpy.{fname}: out= is not supported on traced values; "
                        "use the returned array instead")
    if kw.get("where") is not None:
        raise TypeError(f"wengert.numpy.{fname}: where= is not supported")
    return normalize_axis(axis, ndim(a))


def sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
        **kw: Any) -> Any:  # noqa: A001
    axes = _reduce_args("sum", a, axis, dtype, out, kw)
    if dtype is not None:
        from .shape import astype
        a = astype(a, dtype)
    return sum_p(a, axis=axes, keepdims=bool(keepdims))


def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         **kw: Any) -> Any:
    axes = _reduce_args("mean", a, axis, dtype, out, kw)
    n = _count(a, axes)
    total = sum(a, axes, dtype, None, keepdims)
    return total / n if np.result_type(unbox(total)).kind in "fc" else total / float(n)


def _count(a: Any, axes: tuple | None) -> int:
    s = shape(a)
    return int(np.prod(s)) if axes is None else int(np.prod([s[i] for i in axes]))


def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
        keepdims: bool = False, **kw: Any) -> Any:
    axes = _reduce_args("var", a, axis, dtype, out, kw)
    centred = a - mean(a, axes, dtype, keepdims=True)
    sq = (centred * conj(centred)).real if np.iscomplexobj(unbox(a)) else centred * centred
    return sum(sq, axes, keepdims=keepdims) / (_count(a, axes) - ddof)


def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
        keepdims: bool = False, **kw: Any) -> Any:
    return sqrt(var(a, axis, dtype, out, ddof, keepdims, **kw))


def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False,
            keepdims: bool = False) -> Any:
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        wsum = _count(a, normalize_axis(axis, ndim(a)))
        return (avg, wsum) if returned else avg
    w, nd = weights, ndim(a)
    if ndim(w) != nd:  # 1-D weights along `axis`, as NumPy allows
        w = reshape(w, [-1 if i == axis % nd else 1 for i in range(nd)])
    if shape(w) != shape(a):
        w = broadcast_to_p(w, shape=shape(a))
    wsum = sum(w, axis, keepdims=keepdims)
    avg = sum(a * w, axis, keepdims=keepdims) / wsum
    return (avg, wsum) if returned else avg


# -- prod ---------------------------------------------------------------------------
prod_p = defprim("prod", lambda x, axis=None, keepdims=False:
                 np.prod(x, axis=axis, keepdims=keepdims))
# The rules divide by x: exact away from zeros, like autograd's.
prod_p.defjvp(lambda t, ans, x, axis=None, keepdims=False:
              sum_p(t * _restore(ans, x, axis, keepdims) / x, axis=axis, keepdims=keepdims))
prod_p.defvjp(lambda g, ans, x, axis=None, keepdims=False:
              _restore(g, x, axis, keepdims) * _restore(ans, x, axis, keepdims) / x)


def prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         **kw: Any) -> Any:
    axes = _reduce_args("prod", a, axis, dtype, out, kw)
    return prod_p(a, axis=axes, keepdims=bool(keepdims))


# -- max / min ---------------------------------------------------------------------
def _chooser(name: str, impl: Any) -> Any:
    p = defprim(name, lambda x, axis=None, keepdims=False: impl(x, axis=axis, keepdims=keepdims))

    def weights(ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        # Ties share the derivative equally (as in autograd and JAX).
        mask = equal(x, _restore(ans, x, axis, keepdims))
        count = np.sum(mask, axis=axis, keepdims=True)
        if np.all(count == 1):  # no ties: the boolean mask keeps the adjoint's dtype
            return mask
        return mask / count.astype(dtype(x))

    p.defjvp(lambda t, ans, x, axis=None, keepdims=False:
             sum_p(t * weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
    p.defvjp(lambda g, ans, x, axis=None, keepdims=False:
             _restore(g, x, axis, keepdims) * weights(ans, x, axis, keepdims))
    return p


amax_p = _chooser("amax", np.amax)
amin_p = _chooser("amin", np.amin)


def max(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,  # noqa: A001
        **kw: Any) -> Any:
    axes = _reduce_args("max", a, axis, None, out, kw)
    return amax_p(a, axis=axes, keepdims=bool(keepdims))


def min(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,  # noqa: A001
        **kw: Any) -> Any:
    axes = _reduce_args("min", a, axis, None, out, kw)
    return amin_p(a, axis=axes, keepdims=bool(keepdims))


def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return max(a, axis, keepdims=keepdims) - min(a, axis, keepdims=keepdims)


# -- cumulative ------------------------------------------------------------------------
cumsum_p = defprim("cumsum", lambda x, axis: np.cumsum(x, axis=axis),
                   keep_args=False, keep_ans=False)
cumsum_p.deflinear().defvjp(
    lambda g, ans, x, axis: flip(cumsum_p(flip(g, axis), axis=axis), axis))

cumprod_p = defprim("cumprod", lambda x, axis: np.cumprod(x, axis=axis))
# Exact away from zeros of x.
cumprod_p.defjvp(lambda t, ans, x, axis: ans * cumsum_p(t / x, axis=axis))
cumprod_p.defvjp(lambda g, ans, x, axis: flip(cumsum_p(flip(g * ans, axis), axis=axis), axis) / x)


def _cumulative(p: Any, a: Any, axis: Any) -> Any:
    if axis is None:
        a = reshape(a, (-1,))
        axis = 0
    return p(a, axis=int(axis) % builtin_max(ndim(a), 1))


def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return _cumulative(cumsum_p, a, axis)


def cumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return _cumulative(cumprod_p, a, axis)


builtin_max = __builtins__["max"] if isinstance(__builtins__, dict) else __builtins__.max

for _fn in [sum, mean, var, std, average, prod, max, min, ptp, cumsum, cumprod]:
    _export(_fn)
_export(max, "amax")
_export(min, "amin")
