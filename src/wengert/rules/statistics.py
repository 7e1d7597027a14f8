"""Order statistics and other compositions: median, quantile, cov, nan_to_num ...

Everything here is built from differentiable primitives (sort is a gather,
quantiles interpolate between gathered entries), so nothing needs a rule of
its own.  The nan-ignoring quantiles rank each lane's NaNs out (NaNs sort
last), so NaN entries get derivative 0, as in JAX.  Traced ``start``/``stop``
(arrays too) and ``fill_value`` make ``linspace``, ``logspace``, ``geomspace``
and ``full`` differentiable.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from ..core.batching import per_example
from ..core.tracing import Box, unbox
from ._util import batch_size, defprim, exporter, loop_batch, ndim, normalize_axis, shape
from .elementwise import conj, floor, isfinite, log10, power, sign, where
from .indexing import sort, take_along_axis
from .linalg import matmul
from .reductions import mean
from .shape import (
    astype,
    broadcast_to,
    expand_dims,
    getitem,
    getitem_p,
    moveaxis,
    reshape,
    transpose,
)

__all__: list[str] = []

_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


_export = exporter(__all__, globals())


def _flatten_axis(a: Any, axis: Any) -> tuple[Any, int, tuple]:
    """Move the reduced axes of ``a`` to the end as one axis; return (a, axis, kept shape)."""
    nd = ndim(a)
    axes = normalize_axis(axis, nd)
    if axes is None:
        axes = tuple(range(nd))
    kept = [i for i in range(nd) if i not in axes]
    moved = transpose(a, kept + list(axes))
    kept_shape = tuple(shape(a)[i] for i in kept)
    return reshape(moved, kept_shape + (-1,)), len(kept_shape), kept_shape


def _quantile(fname: str, a: Any, q: Any, axis: Any, out: Any, method: str, keepdims: bool,
              skip_nan: bool = False) -> Any:
    if out is not None:
        raise TypeError(f"wengert.numpy.{fname}: out= is not supported")
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"wengert.numpy.{fname}: method must be one of {_QUANTILE_METHODS}")
    q = np.asarray(unbox(q), dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise ValueError(f"wengert.numpy.{fname}: quantiles must be in the range [0, 1]")
    flat, ax, kept_shape = _flatten_axis(a, axis)
    values = np.asarray(unbox(flat))
    # n, the number of entries each lane ranks: all of them, or (sorted last) all but NaNs.
    nans = np.isnan(values) if values.dtype.kind in "fc" else np.zeros(values.shape, bool)
    lanes = kept_shape + (1,) * q.ndim
    n = np.full(lanes, values.shape[-1]) - (np.sum(nans, axis=-1).reshape(lanes) if skip_nan
                                            else 0)
    pos = q * (np.maximum(n, 1) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n, 1) - 1)
    frac = pos - lo
    if method == "lower":
        hi, frac = lo, np.zeros_like(frac)
    elif method == "higher":
        lo, frac = np.ceil(pos).astype(int), np.zeros_like(frac)
    elif method == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0) * (pos != lo)
    elif method == "nearest":
        lo, frac = np.around(pos).astype(int), np.zeros_like(frac)
    # Gathers along the last axis put the quantile axes last; NumPy puts them first.
    s = sort(flat, axis=ax)
    below, above = (take_along_axis(s, i.reshape(kept_shape + (-1,)), axis=-1) for i in (lo, hi))
    frac = frac.reshape(kept_shape + (-1,)).astype(np.result_type(unbox(a), 0.0))
    res = reshape(below + (above - below) * frac, kept_shape + q.shape)
    undefined = n == 0 if skip_nan else np.any(nans, axis=-1).reshape(lanes)
    if np.any(undefined):  # a NaN result (derivative 0), as NumPy's value
        if skip_nan:
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
        res = where(undefined, np.nan, res)
    res = moveaxis(res, tuple(range(len(kept_shape), len(kept_shape) + q.ndim)),
                   tuple(range(q.ndim))) if q.ndim else res
    if keepdims:
        res = _keep_reduced_dims(res, a, axis, q.ndim)
    return res


@_export
@per_example
def quantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False) -> Any:
    return _quantile("quantile", a, q, axis, out, method, keepdims)


@_export
@per_example
def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None,
                overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False) -> Any:
    """``numpy.nanquantile``; NaN entries get derivative 0 (as in JAX)."""
    return _quantile("nanquantile", a, q, axis, out, method, keepdims, skip_nan=True)


def _keep_reduced_dims(res: Any, a: Any, axis: Any, qdim: int) -> Any:
    nd = ndim(a)
    axes = normalize_axis(axis, nd) or tuple(range(nd))
    out = res
    for ax in axes:
        out = expand_dims(out, qdim + ax)
    return out


@_export
@per_example
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None,
               overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False) -> Any:
    return quantile(a, np.asarray(unbox(q)) / 100.0, axis, out, overwrite_input, method,
                    keepdims)


@_export
@per_example
def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    return quantile(a, 0.5, axis, out, overwrite_input, "linear", keepdims)


@_export
@per_example
def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None,
                  overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False) -> Any:
    return nanquantile(a, np.asarray(unbox(q)) / 100.0, axis, out, overwrite_input, method,
                       keepdims)


@_export
@per_example
def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> Any:
    return nanquantile(a, 0.5, axis, out, overwrite_input, "linear", keepdims)


def _as_rows(m: Any, rowvar: bool) -> Any:
    """Variables as rows (a 1-D input is one variable, as NumPy reads it)."""
    x = m if ndim(m) == 2 else reshape(m, (1, -1))
    return transpose(x) if not rowvar and shape(x)[0] != 1 else x


@_export
def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    if fweights is not None or aweights is not None:
        raise NotImplementedError("wengert.numpy.cov: fweights/aweights are not supported")
    x = _as_rows(m, rowvar)
    if y is not None:
        from .shape import concatenate
        x = concatenate([x, _as_rows(y, rowvar)], axis=0)
    n = shape(x)[1]
    dof = n - (ddof if ddof is not None else (0 if bias else 1))
    centred = x - mean(x, axis=1, keepdims=True)
    c = matmul(centred, transpose(conj(centred))) / dof
    return reshape(c, ()) if shape(c) == (1, 1) else c


@_export
def corrcoef(x: Any, y: Any = None, rowvar: bool = True) -> Any:
    c = cov(x, y, rowvar)
    if ndim(c) == 0:
        return c / c
    d = getitem(c, (np.arange(shape(c)[0]), np.arange(shape(c)[0])))
    from .elementwise import sqrt
    sd = sqrt(d)
    return c / expand_dims(sd, 1) / expand_dims(sd, 0)


@_export
def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None,
               neginf: Any = None) -> Any:
    if not isinstance(x, Box):
        return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    replaced = np.nan_to_num(unbox(x), nan=nan, posinf=posinf, neginf=neginf)
    return where(isfinite(x), x, replaced)  # the derivative flows through finite entries


@_export
def real_if_close(a: Any, tol: float = 100) -> Any:
    if not isinstance(a, Box):
        return np.real_if_close(a, tol)
    from .elementwise import real
    v = np.asarray(unbox(a))
    if np.iscomplexobj(v) and np.all(np.abs(np.imag(v)) < tol * np.finfo(v.real.dtype).eps):
        return real(a)
    return a


@_export
def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    nd = ndim(a)
    axis %= nd
    start = start % (nd + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start) if axis != start else a


@_export
def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kw: Any) -> Any:
    if not isinstance(fill_value, Box):
        return np.full(shape, fill_value, dtype=dtype, order=order, **kw)
    shape_t = (shape,) if np.isscalar(shape) else tuple(shape)
    return broadcast_to(fill_value, shape_t) * np.ones(shape_t, dtype=dtype or
                                                       np.result_type(unbox(fill_value)))


def _traced(*xs: Any) -> bool:
    return any(isinstance(x, Box) for x in xs)


@_export
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0, *,
             device: Any = None) -> Any:
    """``numpy.linspace``, differentiable in ``start`` and ``stop`` (arrays too)."""
    if not _traced(start, stop):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis, device=device)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    # NumPy's recipe, so that the values agree: start + k·step, then stop itself at the end.
    div = (num - 1) if endpoint else num
    delta = stop - start
    k = np.arange(num, dtype=np.result_type(unbox(start), unbox(stop), float(num)))
    k = k.reshape((-1,) + (1,) * ndim(delta))
    step = delta / div if div > 0 else np.nan
    y = k * step + start if div > 0 else k * delta + start
    if endpoint and num > 1:
        y = where(k == num - 1, stop, y)
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if dtype is not None:
        y = astype(floor(y) if np.issubdtype(dtype, np.integer) else y, dtype)
    return (y, step) if retstep else y


def _ndmin(x: Any, nd: int) -> Any:
    return reshape(x, (1,) * (nd - ndim(x)) + tuple(shape(x)))


@_export
def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0) -> Any:
    """``numpy.logspace``, differentiable in ``start``, ``stop`` and ``base``."""
    if not _traced(start, stop, base):
        return np.logspace(start, stop, num, endpoint, base, dtype, axis)
    nd = max(ndim(start), ndim(stop), ndim(base))  # as NumPy: all three get this ndim
    start, stop, base = (_ndmin(v, nd) for v in (start, stop, base))
    y = power(expand_dims(base, axis), linspace(start, stop, num, endpoint, axis=axis))
    return y if dtype is None else astype(y, dtype)


@_export
def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:
    """``numpy.geomspace``, differentiable in ``start`` and ``stop``."""
    if not _traced(start, stop):
        return np.geomspace(start, stop, num, endpoint, dtype, axis)
    if np.any(np.equal(unbox(start), 0)) or np.any(np.equal(unbox(stop), 0)):
        raise ValueError("Geometric sequence cannot include zero")
    # NumPy's recipe: a logspace between the logs of start/sign and stop/sign (complex:
    # sign = start/|start|), with start and stop themselves at the ends.
    dt = np.result_type(unbox(start), unbox(stop), float(num), np.zeros((), dtype))
    start, stop = astype(start, dt), astype(stop, dt)
    out_sign = sign(start)
    start, stop = start / out_sign, stop / out_sign
    y = logspace(log10(start), log10(stop), num, endpoint, 10.0, dt)
    k = np.arange(num).reshape((-1,) + (1,) * (ndim(y) - 1))
    y = where(k == 0, start, y)
    if endpoint and num > 1:
        y = where(k == num - 1, stop, y)
    y = y * out_sign
    if axis != 0:
        y = moveaxis(y, 0, axis)
    return astype(y, dtype) if dtype is not None else y


# -- counting: differentiable in the weights ------------------------------------------
def _bincount_impl(weights: Any, x: Any, minlength: int) -> Any:
    if np.iscomplexobj(weights):  # np.bincount casts weights to float
        return (np.bincount(x, np.real(weights), minlength).astype(float)
                + 1j * np.bincount(x, np.imag(weights), minlength))
    # NumPy's weighted counts are float, but ints when x is empty: float always
    return np.bincount(x, weights, minlength).astype(np.float64, copy=False)


# Linear in the weights: out[k] = Σ_{i: x[i] = k} weights[i]; its transpose gathers.
bincount_weights_p = defprim("bincount", _bincount_impl, keep_args=False, keep_ans=False)
bincount_weights_p.deflinear().defvjp(
    lambda g, ans, weights, x, minlength: getitem_p(g, idx=x))


@_export
def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Any:
    """``numpy.bincount``, differentiable in ``weights`` (the counts of ``x`` are not);
    complex weights are summed as such (NumPy refuses them)."""
    if not isinstance(weights, Box) and not isinstance(x, Box):
        if weights is None:
            return np.bincount(x, None, minlength)
        return _bincount_impl(weights, x, minlength)  # complex weights too (as JAX)
    idx = np.asarray(unbox(x))
    if weights is None:
        return _constant_like(np.bincount(idx, None, minlength), x)
    if idx.ndim != 1 or shape(weights) != idx.shape:
        raise ValueError("wengert.numpy.bincount: x must be 1-D and weights of its shape, "
                         f"got {idx.shape} and {shape(weights)}")
    return bincount_weights_p(weights, x=idx, minlength=int(minlength))


def _constant_like(value: Any, like: Any) -> Any:
    """A result with no derivative: a constant tensor for the tensor API, else plain."""
    from ..tensor import Tensor
    return Tensor._constant(value, like._level) if isinstance(like, Tensor) else value


@_export
def histogram(a: Any, bins: Any = 10, range: Any = None, density: bool | None = None,  # noqa: A002
              weights: Any = None) -> tuple:
    """``numpy.histogram``, differentiable in ``weights`` and, when the edges come from
    the data (``bins`` a count, no ``range``), in the edges; the counts are piecewise
    constant in ``a``, so ``a`` gets no derivative through them."""
    if not isinstance(a, Box) and not isinstance(weights, Box):
        return np.histogram(a, bins, range, density, weights)
    values = np.asarray(unbox(a)).ravel()
    edges_value = np.histogram_bin_edges(values, unbox(bins), range)
    edges: Any = edges_value
    if isinstance(a, Box) and np.ndim(bins) == 0 and range is None and values.size:
        # The edges are linspace(min a, max a) (widened by 1/2 when they agree).
        from .reductions import max as amax
        from .reductions import min as amin
        lo, hi = amin(a), amax(a)
        if values.min() == values.max():
            lo, hi = lo - 0.5, hi + 0.5
        edges = lo + (hi - lo) * np.linspace(0.0, 1.0, len(edges_value))
    n = len(edges_value) - 1
    # NumPy's bins are half-open [e_k, e_k+1) but for the last, which is closed.
    which = np.searchsorted(edges_value, values, side="right") - 1
    which[values == edges_value[-1]] = n - 1
    inside = (which >= 0) & (which < n)
    if weights is None:
        w: Any = np.ones(int(inside.sum()))
    else:
        if shape(weights) != np.shape(a):
            raise ValueError("wengert.numpy.histogram: weights must have the shape of a, "
                             f"got {shape(weights)} and {np.shape(a)}")
        w = getitem(reshape(weights, (-1,)), np.flatnonzero(inside))
    hist = bincount(which[inside], w, minlength=n)
    if density:
        from .reductions import sum as total
        widths = edges[1:] - edges[:-1] if isinstance(edges, Box) else np.diff(edges)
        hist = hist / total(hist) / widths
    elif weights is None:
        hist = hist.astype(np.intp)
    return hist, edges



# -- batching (vmap): NumPy's bincount counts one 1-D array per call ---------------------
bincount_weights_p.defbatch(lambda args, dims, **kw: loop_batch(
    bincount_weights_p, args, dims, batch_size(args, dims), kw))
