"""``scipy.signal`` convolution: one primitive, the full N-d convolution.

Loaded by :mod:`wengert.scipy.signal` only; SciPy is imported on the first call.
Every mode and ``correlate`` are slices and flips of the full convolution
``y[n] = Σₖ x[k] h[n - k]``.  It is bilinear, so the JVP is the convolution with a
tangent in one slot, and the VJP is a correlation: ``x̄[k] = Σₙ ȳ[n] h[n - k]``, the
full convolution of ``ȳ`` with ``h`` flipped, read from index ``len(h) - 1`` on (and
the same with the roles swapped).  Those are again this primitive, so any order works.
With ``axes`` (``fftconvolve``) only those axes are convolved; the others broadcast.
"""

from __future__ import annotations

from typing import Any

from ._util import defprim, ndim, shape, unbroadcast
from .shape import getitem_p

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

PRIMITIVES = [convolve_p]
