"""Reductions: sum, prod, max/min, cumulative sums and products.

Each rule first restores the reduced axes of the adjoint (``keepdims``) and
then broadcasts it back over the input.  ``mean``, ``var`` and ``std`` are
compositions of primitives and need no rules of their own.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..core.batching import batched_value
from ..core.tracing import INPLACE_MIN_SIZE, unbox
from ._util import batch_front, defprim, dtype, exporter, ndim, normalize_axis, shape, shift_axis
from .elementwise import _OPERANDS, conj, equal, multiply, sqrt, where
from .shape import (
    astype,
    broadcast_to_p,
    concatenate,
    flip,
    reshape,
    reshape_p,
    traced_array,
)

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
_add_reduce = np.add.reduce  # np.sum without its Python wrapper, for plain arrays


def _sum_impl(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if type(x) is np.ndarray:
        return _add_reduce(x, axis, None, None, keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


def _sum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if type(x) is np.ndarray and x.size < INPLACE_MIN_SIZE and type(g) in _OPERANDS:
        # small plain arrays: a filled array costs less than np.broadcast_to's view
        out = np.empty(x.shape, np.result_type(g))
        out[...] = g if keepdims or type(g) is not np.ndarray else g.reshape(
            _keepdims_shape(x.shape, axis))
        return out
    return broadcast_to_p(_restore(g, x, axis, keepdims), shape=shape(x))


sum_p = defprim("sum", _sum_impl, keep_args=False, keep_ans=False)
sum_p.deflinear().defvjp(_sum_vjp)


def _simplify_sum(ins: tuple, params: dict, out: Any, ctx: Any) -> Any:
    """``sum(broadcast_to(x, s))`` over exactly the broadcast axes is ``x * n`` (jit's
    optimiser; the contract is in rules/_simplify.py)."""
    (a,) = ins
    d = ctx.made_by(a, broadcast_to_p)
    if d is None:
        return None
    x = d.inputs[0]
    if not ctx.is_var(x) or x.dtype != out.dtype:
        return None
    xs, big = x.shape, a.shape
    lead = len(big) - len(xs)
    copied = set(range(lead)) | {lead + i for i, k in enumerate(xs)
                                 if k == 1 and big[lead + i] != 1}
    axis = params.get("axis")
    summed = set(range(len(big))) if axis is None else {int(i) % len(big) for i in axis}
    if summed != copied or not copied:
        return None
    keep = bool(params.get("keepdims", False)) and lead > 0
    if xs != out.shape or keep:
        return None
    n = int(np.prod([big[i] for i in summed]))
    return multiply, (x, ctx.literal(n)), {}


sum_p.simplify = _simplify_sum


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
    return sqrt_of_var(var(a, axis, dtype, out, ddof, keepdims, **kw))


def sqrt_of_var(v: Any) -> Any:
    """A standard deviation from a variance."""
    zero = np.equal(batched_value(v), 0)
    if np.any(unbox(zero)):  # constant data: derivative 0 (the minimal subgradient), not 0·∞
        return where(zero, 0.0, sqrt(where(zero, 1.0, v)))
    return sqrt(v)


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


def _prod_of_others(ans: Any, x: Any, axis: tuple | None, keepdims: bool) -> Any:
    """∂prod/∂xᵢ, the product of the other entries of xᵢ's group, exact at zeros.

    Without zeros it is prod/xᵢ.  Otherwise, with Z the group's zero entries, it is
    ∏_Z·∏_{∉Z}/xᵢ for xᵢ ≠ 0 and ∏_{Z∖i}·∏_{∉Z} for xᵢ = 0, where ∏_{Z∖i} is 1, the
    other zero entry, or 0 for one, two, or more zeros.  The zero entries stay in
    the expressions (not as constants) so that second derivatives are exact too.
    """
    zeros = np.equal(batched_value(x), 0)
    if not np.any(unbox(zeros)):
        return _restore(ans, x, axis, keepdims) / x
    n_zeros = np.sum(zeros, axis=axis, keepdims=True)
    nonzero = where(zeros, 1.0, x)
    nonzero_prod = prod_p(nonzero, axis=axis, keepdims=True)
    zero_prod = prod_p(where(zeros, x, 1.0), axis=axis, keepdims=True)
    other_zeros = where(n_zeros == 1, 1.0, where(
        n_zeros == 2, sum_p(where(zeros, x, 0.0), axis=axis, keepdims=True) - x, 0.0))
    return where(zeros, other_zeros * nonzero_prod, zero_prod * nonzero_prod / nonzero)


prod_p.defjvp(lambda t, ans, x, axis=None, keepdims=False:
              sum_p(t * _prod_of_others(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
prod_p.defvjp(lambda g, ans, x, axis=None, keepdims=False:
              _restore(g, x, axis, keepdims) * _prod_of_others(ans, x, axis, keepdims))


def prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         **kw: Any) -> Any:
    axes = _reduce_args("prod", a, axis, dtype, out, kw)
    return prod_p(a, axis=axes, keepdims=bool(keepdims))


# -- max / min ---------------------------------------------------------------------
def _chooser(name: str, impl: Any, ufunc: Any) -> Any:
    reduce = ufunc.reduce  # on plain arrays: np.amax without its Python wrapper

    def impl_(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if type(x) is np.ndarray:
            return reduce(x, axis, None, None, keepdims)
        return impl(x, axis=axis, keepdims=keepdims)

    p = defprim(name, impl_)

    def weights(ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        # Ties share the derivative equally (as in autograd and JAX).
        if type(x) is np.ndarray and isinstance(ans, (np.ndarray, np.generic)):
            mask = x == (ans if keepdims else ans.reshape(_keepdims_shape(x.shape, axis)))
            count = _add_reduce(mask, axis, None, None, True)
        else:
            mask = equal(x, _restore(ans, x, axis, keepdims))
            count = np.sum(mask, axis=axis, keepdims=True)
        if np.all(unbox(count) == 1):  # no ties: the boolean mask keeps the adjoint's dtype
            return mask
        return mask / count.astype(dtype(x))

    p.defjvp(lambda t, ans, x, axis=None, keepdims=False:
             sum_p(t * weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
    p.defvjp(lambda g, ans, x, axis=None, keepdims=False:
             _restore(g, x, axis, keepdims) * weights(ans, x, axis, keepdims))
    return p


amax_p = _chooser("amax", np.amax, np.maximum)
amin_p = _chooser("amin", np.amin, np.minimum)


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


def _first_zero(x: Any, axis: int) -> tuple | None:
    """``(before, at, after)`` masks relative to each lane's first zero z of x along
    ``axis``, or None if x has no zeros (then ∂yₖ/∂xᵢ = yₖ/xᵢ, and the rules can
    divide)."""
    zeros = np.equal(batched_value(x), 0)
    if not np.any(unbox(zeros)):
        return None
    n = zeros.shape[axis]
    first = np.where(np.any(zeros, axis=axis, keepdims=True),
                     np.argmax(zeros, axis=axis, keepdims=True), n)
    index = np.arange(n).reshape([-1 if i == axis else 1 for i in range(zeros.ndim)])
    return index < first, index == first, index > first


def _split_at_zero(x: Any, axis: int, masks: tuple) -> tuple:
    """Write yₖ = B·x_z·cₖ for k ≥ z: B = ∏_{j<z} xⱼ (no zeros), x_z (zero here, but not
    nearby: the second derivatives need it), cₖ = ∏_{z<j≤k} xⱼ (a cumprod of
    ``rest``, later zeros included)."""
    before, at, _ = masks
    b = prod_p(where(before, x, 1.0), axis=(axis,), keepdims=True)
    x_z = sum_p(where(at, x, 0.0), axis=(axis,), keepdims=True)
    rest = where(before | at, 1.0, x)
    return b, x_z, rest, cumprod_p(rest, axis=axis)


def _cumprod_jvp(t: Any, ans: Any, x: Any, axis: int) -> Any:
    masks = _first_zero(x, axis)
    if masks is None:
        return ans * cumsum_p(t / x, axis=axis)
    before, at, _ = masks
    b, x_z, rest, c = _split_at_zero(x, axis, masks)
    safe_x = where(before, x, 1.0)
    # k < z: yₖ·Σ_{i≤k} tᵢ/xᵢ.  k ≥ z: the product rule on B·x_z·cₖ.
    early = ans * cumsum_p(where(before, t, 0.0) / safe_x, axis=axis)
    t_b = b * sum_p(where(before, t, 0.0) / safe_x, axis=(axis,), keepdims=True)
    t_z = sum_p(where(at, t, 0.0), axis=(axis,), keepdims=True)
    t_c = _cumprod_jvp(where(before | at, 0.0, t), c, rest, axis)
    return where(before, early, (t_b * x_z + b * t_z) * c + b * x_z * t_c)


def _cumprod_vjp(g: Any, ans: Any, x: Any, axis: int) -> Any:
    masks = _first_zero(x, axis)
    if masks is None:
        return flip(cumsum_p(flip(g * ans, axis), axis=axis), axis) / x
    before, at, after = masks
    b, x_z, rest, c = _split_at_zero(x, axis, masks)
    safe_x = where(before, x, 1.0)
    # The transpose of the JVP above, term by term.
    g_late = where(before, 0.0, g)
    s = sum_p(g_late * c, axis=(axis,), keepdims=True)  # Σ_{k≥z} gₖcₖ
    tail = flip(cumsum_p(flip(where(before, g * ans, 0.0), axis), axis=axis), axis)
    early = (tail + b * x_z * s) / safe_x
    late = b * x_z * _cumprod_vjp(g_late, c, rest, axis)
    return where(before, early, where(at, b * s, where(after, late, 0.0)))


cumprod_p.defjvp(_cumprod_jvp)
cumprod_p.defvjp(_cumprod_vjp)


def _cumulative(p: Any, a: Any, axis: Any) -> Any:
    if axis is None:
        a = reshape(a, (-1,))
        axis = 0
    return p(a, axis=int(axis) % builtin_max(ndim(a), 1))


def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return _cumulative(cumsum_p, a, axis)


def cumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return _cumulative(cumprod_p, a, axis)


def _cumulative_api(p: Any, fname: str, x: Any, axis: Any, dtype: Any, out: Any,
                    include_initial: bool, initial: float) -> Any:
    """NumPy 2's ``cumulative_sum``/``cumulative_prod``: ``axis`` is required beyond 1-D,
    and ``include_initial`` starts each lane with the identity (0 or 1)."""
    if out is not None:
        raise TypeError(f"wengert.numpy.{fname}: out= is not supported on traced values; "
                        "use the returned array instead")
    x = traced_array(x)
    if axis is None:
        if ndim(x) > 1:
            raise ValueError("For arrays which have more than one dimension ``axis`` "
                             "argument is required.")
        axis = 0
    if ndim(x) == 0:
        x = reshape(x, (1,))
    if dtype is not None:
        x = astype(x, dtype)
    (ax,) = normalize_axis(axis, ndim(x))  # type: ignore[misc]
    y = p(x, axis=ax)
    if include_initial:
        first = list(shape(y))
        first[ax] = 1
        y = concatenate([np.full(first, initial, np.result_type(unbox(y))), y], axis=ax)
    return y


def cumulative_sum(x: Any, /, *, axis: int | None = None, dtype: Any = None, out: Any = None,
                   include_initial: bool = False) -> Any:
    return _cumulative_api(cumsum_p, "cumulative_sum", x, axis, dtype, out, include_initial,
                           0)


def cumulative_prod(x: Any, /, *, axis: int | None = None, dtype: Any = None, out: Any = None,
                    include_initial: bool = False) -> Any:
    return _cumulative_api(cumprod_p, "cumulative_prod", x, axis, dtype, out,
                           include_initial, 1)


builtin_max = __builtins__["max"] if isinstance(__builtins__, dict) else __builtins__.max

def _array_first(fn: Any) -> Any:
    """``fn`` reading a list that holds traced values as one array (as NumPy would)."""
    @functools.wraps(fn)
    def reduction(a: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(traced_array(a), *args, **kwargs)
    return reduction


for _fn in [sum, mean, var, std, average, prod, max, min, ptp, cumsum, cumprod]:
    globals()[_fn.__name__] = _array_first(_fn)
    _export(globals()[_fn.__name__])
_export(cumulative_sum)
_export(cumulative_prod)
_export(max, "amax")
_export(min, "amin")


# -- batching (vmap): the reduced axes move past the batch axis ---------------------------
for _p in (sum_p, prod_p, amax_p, amin_p, cumsum_p, cumprod_p):
    _p.defbatch(batch_front(_p, shift_axis("axis")))
