"""Discrete Fourier transforms: three primitives, all linear.

* ``fftn`` (complex-to-complex, forward or inverse) is complex-linear and its
  matrix is symmetric, so its transpose is itself with the same ``norm``.
* ``rfftn`` (real-to-complex) is the full ``fftn`` followed by keeping the first
  ``n//2 + 1`` bins of the last axis; its transpose zero-pads the cotangent back
  to ``n`` bins, applies ``fftn`` and keeps the real part (the input is real).
* ``irfftn`` (complex-to-real) reads a Hermitian half-spectrum: bin ``k`` of
  the last axis stands for itself and its mirror ``n - k``, so it counts twice,
  except bin 0 and (``n`` even) bin ``n/2``, whose imaginary parts are ignored.
  Its transpose is the inverse ``fftn`` of the cotangent, cut to the half
  spectrum and scaled by those multiplicities (2, or 1 for the unpaired bins).

The primitives take inputs already cut or zero-padded to the transform sizes;
:mod:`wengert.numpy.fft` does that with slicing and concatenation, which are
differentiable too.  Complex cotangents follow JAX's convention (transpose, no
conjugation); see :mod:`wengert.rules.elementwise`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._util import batch_front, defprim, dtype, is_complex, ndim, shape, shift_axis
from .elementwise import real
from .shape import concatenate_p, getitem_p


def _fftn(x: Any, axes: tuple[int, ...], inverse: bool, norm: str | None) -> Any:
    fn = np.fft.ifftn if inverse else np.fft.fftn
    return fn(x, axes=axes, norm=norm)


def _rfftn(x: Any, axes: tuple[int, ...], norm: str | None) -> Any:
    return np.fft.rfftn(x, axes=axes, norm=norm)


def _irfftn(x: Any, s: tuple[int, ...], axes: tuple[int, ...], norm: str | None) -> Any:
    return np.fft.irfftn(x, s=s, axes=axes, norm=norm)


def resize(x: Any, axis: int, n: int) -> Any:
    """``x`` cut or zero-padded to length ``n`` along ``axis`` (as NumPy's FFTs do)."""
    have = shape(x)[axis]
    if n == have:
        return x
    if n < have:
        return getitem_p(x, idx=(slice(None),) * axis + (slice(0, n),))
    pad_shape = tuple(n - have if i == axis else d for i, d in enumerate(shape(x)))
    return concatenate_p(x, np.zeros(pad_shape, dtype(x)), axis=axis)


def _real_if(g: Any, x: Any) -> Any:
    """A cotangent for ``x``: real when ``x`` is real."""
    return g if is_complex(x) else real(g)


fftn_p = defprim("fft.fftn", _fftn, keep_args=False, keep_ans=False)
fftn_p.deflinear().defvjp(
    lambda g, ans, x, axes, inverse, norm: _real_if(
        fftn_p(g, axes=axes, inverse=inverse, norm=norm), x))

rfftn_p = defprim("fft.rfftn", _rfftn, keep_args=False, keep_ans=False)
rfftn_p.deflinear().defvjp(
    lambda g, ans, x, axes, norm: real(fftn_p(
        resize(g, axes[-1], shape(x)[axes[-1]]), axes=axes, inverse=False, norm=norm)))


def _half_spectrum_weights(n: int, axis: int, nd: int) -> np.ndarray:
    """How many times each stored bin of a length-``n`` Hermitian spectrum counts."""
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    return w.reshape([-1 if i == axis else 1 for i in range(nd)])


def _irfftn_vjp(g: Any, ans: Any, x: Any, s: tuple[int, ...], axes: tuple[int, ...],
                norm: str | None) -> Any:
    last = axes[-1]
    spec = fftn_p(g, axes=axes, inverse=True, norm=norm)
    spec = getitem_p(spec, idx=(slice(None),) * last + (slice(0, shape(x)[last]),))
    return _real_if(spec * _half_spectrum_weights(s[-1], last, ndim(x)), x)


irfftn_p = defprim("fft.irfftn", _irfftn, keep_args=False, keep_ans=False)
irfftn_p.deflinear().defvjp(_irfftn_vjp)


# -- batching (vmap): the transformed axes move past the batch axis ------------------------
for _p in (fftn_p, rfftn_p, irfftn_p):
    _p.defbatch(batch_front(_p, shift_axis("axes")))
