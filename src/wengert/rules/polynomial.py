"""Polynomials as coefficient arrays, highest power first: polyval, polyadd, roots ...

Each is a composition (Horner's rule, zero padding, ``convolve``, the eigenvalues
of the companion matrix), so none needs a rule of its own.  On plain arrays
they are NumPy's own functions (``poly1d`` included); on traced ones they take
1-D coefficient arrays and return arrays.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..core.batching import per_example
from ..core.tracing import contains_box, unbox
from ._util import dtype, exporter, ndim, shape, zeros_like
from .indexing import convolve
from .shape import atleast_1d, concatenate, getitem, reshape, traced_array

__all__: list[str] = []


_export = exporter(__all__, globals())


def _traced(*xs: Any) -> bool:
    return contains_box(list(xs))


@_export
def polyval(p: Any, x: Any) -> Any:
    if not _traced(p, x):
        return np.polyval(p, x)
    p, x = traced_array(p), traced_array(x)
    y: Any = zeros_like(x)
    for pv in p:  # Horner's rule, as NumPy evaluates it
        y = y * x + pv
    return y


def _aligned(a1: Any, a2: Any) -> tuple[Any, Any]:
    """Both coefficient arrays, the shorter one padded with leading zeros."""
    a1, a2 = atleast_1d(traced_array(a1)), atleast_1d(traced_array(a2))
    diff = shape(a2)[0] - shape(a1)[0]
    if diff > 0:
        a1 = concatenate([np.zeros(diff, dtype(a1)), a1])
    elif diff < 0:
        a2 = concatenate([np.zeros(-diff, dtype(a2)), a2])
    return a1, a2


@_export
def polyadd(a1: Any, a2: Any) -> Any:
    if not _traced(a1, a2):
        return np.polyadd(a1, a2)
    a1, a2 = _aligned(a1, a2)
    return a1 + a2


@_export
def polysub(a1: Any, a2: Any) -> Any:
    if not _traced(a1, a2):
        return np.polysub(a1, a2)
    a1, a2 = _aligned(a1, a2)
    return a1 - a2


@_export
def polymul(a1: Any, a2: Any) -> Any:
    if not _traced(a1, a2):
        return np.polymul(a1, a2)
    return convolve(atleast_1d(traced_array(a1)), atleast_1d(traced_array(a2)))


@_export
def polyder(p: Any, m: int = 1) -> Any:
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    if not _traced(p):
        return np.polyder(p, m)
    p = traced_array(p)
    for _ in range(m):
        p = getitem(p, slice(None, -1)) * np.arange(shape(p)[0] - 1, 0, -1)
    return p


@_export
def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """``numpy.polyint``, differentiable in ``p`` and in the integration constants ``k``."""
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if not _traced(p, k):
        return np.polyint(p, m, k)
    k = atleast_1d(traced_array(k if k is not None else np.zeros(m)))
    if shape(k)[0] == 1 and m > 1:
        k = getitem(k, 0) * np.ones(m)
    if shape(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = traced_array(p)
    for i in range(m):
        p = concatenate([p / np.arange(shape(p)[0], 0, -1), reshape(getitem(k, i), (1,))])
    return p


@_export
@per_example
def roots(p: Any) -> Any:
    """``numpy.roots``: the eigenvalues of the companion matrix, so their derivatives are
    those of ``linalg.eigvals`` (defined for simple roots)."""
    if not _traced(p):
        return np.roots(p)
    p = atleast_1d(traced_array(p))
    if ndim(p) != 1:
        raise ValueError("Input must be a rank-1 array.")
    nonzero = np.flatnonzero(unbox(p))
    if not nonzero.size:
        return np.array([])
    trailing_zeros = shape(p)[0] - nonzero[-1] - 1  # roots at 0
    p = getitem(p, slice(nonzero[0], nonzero[-1] + 1))
    n = shape(p)[0]
    if n < 2:
        return np.zeros(trailing_zeros)
    from ..numpy.linalg import eigvals  # (wengert.numpy imports this module)
    first_row = -getitem(p, slice(1, None)) / getitem(p, 0)
    companion = concatenate([reshape(first_row, (1, -1)), np.eye(n - 2, n - 1)])
    r = eigvals(companion)
    return concatenate([r, np.zeros(trailing_zeros, dtype(r))]) if trailing_zeros else r
