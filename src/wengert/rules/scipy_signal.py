"""``scipy.signal`` convolution: one primitive, the full N-d convolution.

Loaded by :mod:`wengert.scipy.signal` only; SciPy is imported on the first call.
Every mode and ``correlate`` are slices and flips of the full convolution
``y[n] = Σₖ x[k] h[n - k]``.  It is bilinear, so the JVP is the convolution with a
tangent in one slot, and the VJP is a correlation: ``x̄[k] = Σₙ ȳ[n] h[n - k]``, the
full convolution of ``ȳ`` with ``h`` flipped, read from index ``len(h) - 1`` on (and
the same with the roles swapped).  Those are again this primitive, so any order works.
With ``axes`` (``fftconvolve``) only those axes are convolved; the others broadcast.

Batching (vmap): the batch axis goes first and is broadcast, not convolved: with
``axes`` (or by FFT) the convolved axes are named; by the direct method, an input
with no batch axis gets a unit one, so the batch axis is convolved with a single
entry (the same sums as one example's).  The direct method of two batched inputs has
no such form and runs once per example.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._util import batch_size, defprim, dtype, loop_batch, ndim, shape, to_front, unbroadcast
from .shape import expand_dims, getitem_p

__all__: list[str] = []


def _convolve_impl(x: Any, h: Any, *, method: str, axes: tuple | None) -> Any:
    import scipy.signal as ss
    if axes is None:
        return ss.convolve(x, h, mode="full", method=method)
    return ss.fftconvolve(x, h, mode="full", axes=axes)


convolve_p = defprim("scipy.signal.convolve", _convolve_impl, keep_ans=False)


def _conv_axes(x: Any, axes: tuple | None) -> tuple:
    return tuple(range(ndim(x))) if axes is None else axes


def flip(x: Any, axes: tuple) -> Any:
    idx = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(x)))
    return getitem_p(x, idx=idx)


def _correlate_back(g: Any, other: Any, target: Any, method: str, axes: tuple | None) -> Any:
    """``Σₙ g[n] other[n - k]`` for ``k`` over ``target``'s conv axes."""
    ax = _conv_axes(target, axes)
    full = convolve_p(g, flip(other, ax), method=method, axes=axes)
    idx = tuple(slice(shape(other)[i] - 1, shape(other)[i] - 1 + shape(target)[i]) if i in ax
                else slice(None) for i in range(ndim(target)))
    return unbroadcast(getitem_p(full, idx=idx), target)


convolve_p.deflinear(2)
convolve_p.defvjp(
    lambda g, ans, x, h, method, axes: _correlate_back(g, h, x, method, axes),
    lambda g, ans, x, h, method, axes: _correlate_back(g, x, h, method, axes))
convolve_p.vjp_reads = ((1,), (0,))


def _method(x: Any, h: Any, method: str) -> str:
    """``auto`` decided as SciPy decides it for one example (by its shapes); integers
    and booleans directly, whose answer is exact (SciPy rounds an FFT's to it)."""
    if any(dtype(v).kind not in "fc" for v in (x, h)):
        return "direct"
    if method != "auto":
        return method
    import scipy.signal as ss
    ex = [np.ones(shape(v)[1:], dtype=dtype(v)) for v in (x, h)]
    return str(ss.choose_conv_method(ex[0], ex[1], mode="full"))


def _batch_convolve(args: Any, dims: Any, *, method: str, axes: tuple | None) -> tuple:
    size = batch_size(args, dims)
    x, h = (expand_dims(a, 0) if d is None else to_front(a, d) for a, d in zip(args, dims))
    if axes is None:
        method = _method(x, h, method)
        if method == "direct":
            if all(d is not None for d in dims):
                return loop_batch(convolve_p, args, dims, size, dict(method=method, axes=axes))
            return convolve_p(x, h, method=method, axes=None), 0
        axes = tuple(range(ndim(x) - 1))
    return convolve_p(x, h, method=method, axes=tuple(a + 1 for a in axes)), 0


convolve_p.defbatch(_batch_convolve)

PRIMITIVES = [convolve_p]
