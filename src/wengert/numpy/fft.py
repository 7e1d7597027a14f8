"""``wengert.numpy.fft``: differentiable ``numpy.fft``.

Every transform is one of three primitives (:mod:`wengert.rules.fft`) applied
after cutting or zero-padding the input to the requested sizes, so ``n``,
``s``, ``axis``, ``axes`` and ``norm`` mean exactly what they mean in NumPy.
``fftfreq`` and ``rfftfreq`` do not depend on any array and pass through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.fft import fftfreq, rfftfreq

from ..rules._util import ndim, shape
from ..rules.elementwise import conj
from ..rules.fft import fftn_p, irfftn_p, resize, rfftn_p
from ..rules.shape import asarray, getitem_p

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq",
           "rfftfreq"]

Axes = Sequence[int] | None
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _prepare(a: Any, s: Axes, axes: Axes, out: Any, inverse_real: bool = False
             ) -> tuple[Any, list[int], list[int]]:
    """The input as an array, transform sizes and non-negative axes (NumPy's rules)."""
    if out is not None:
        raise TypeError("wengert.numpy.fft: out= is not supported; use the returned array")
    a = asarray(a)
    nd, shp = ndim(a), shape(a)
    if axes is None:
        axes = list(range(nd)) if s is None else list(range(-len(s), 0))
    axes = [int(ax) for ax in axes]
    for ax in axes:
        if not -nd <= ax < nd:
            raise np.exceptions.AxisError(ax, nd)
    axes = [ax % nd for ax in axes]
    if s is None:
        sizes = [shp[ax] for ax in axes]
        if inverse_real and axes:
            sizes[-1] = 2 * (shp[axes[-1]] - 1)
    else:
        if len(s) != len(axes):
            raise ValueError("Shape and axes have different lengths.")
        sizes = [shp[ax] if n == -1 else int(n) for n, ax in zip(s, axes)]
    for n in sizes:
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return a, sizes, axes


def _c2c(a: Any, s: Axes, axes: Axes, norm: str | None, out: Any, inverse: bool) -> Any:
    a, sizes, axes = _prepare(a, s, axes, out)
    for n, ax in zip(sizes, axes):
        a = resize(a, ax, n)
    return fftn_p(a, axes=tuple(axes), inverse=inverse, norm=norm)


def _one(n: int | None) -> list[int] | None:
    return None if n is None else [n]


# -- complex to complex ---------------------------------------------------------------------
def fftn(a: Any, s: Axes = None, axes: Axes = None, norm: str | None = None,
         out: Any = None) -> Any:
    """N-dimensional discrete Fourier transform (``numpy.fft.fftn``)."""
    return _c2c(a, s, axes, norm, out, inverse=False)


def ifftn(a: Any, s: Axes = None, axes: Axes = None, norm: str | None = None,
          out: Any = None) -> Any:
    """N-dimensional inverse discrete Fourier transform (``numpy.fft.ifftn``)."""
    return _c2c(a, s, axes, norm, out, inverse=True)


def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
        out: Any = None) -> Any:
    """1-D discrete Fourier transform (``numpy.fft.fft``)."""
    return fftn(a, _one(n), [axis], norm, out)


def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: Any = None) -> Any:
    """1-D inverse discrete Fourier transform (``numpy.fft.ifft``)."""
    return ifftn(a, _one(n), [axis], norm, out)


def fft2(a: Any, s: Axes = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
         out: Any = None) -> Any:
    """2-D discrete Fourier transform (``numpy.fft.fft2``)."""
    return fftn(a, s, axes, norm, out)


def ifft2(a: Any, s: Axes = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: Any = None) -> Any:
    """2-D inverse discrete Fourier transform (``numpy.fft.ifft2``)."""
    return ifftn(a, s, axes, norm, out)


# -- real to complex and back ---------------------------------------------------------------
def rfftn(a: Any, s: Axes = None, axes: Axes = None, norm: str | None = None,
          out: Any = None) -> Any:
    """N-dimensional FFT of real input (``numpy.fft.rfftn``): half spectrum on the last axis."""
    a, sizes, axes = _prepare(a, s, axes, out)
    for n, ax in zip(sizes, axes):
        a = resize(a, ax, n)
    return rfftn_p(a, axes=tuple(axes), norm=norm)


def irfftn(a: Any, s: Axes = None, axes: Axes = None, norm: str | None = None,
           out: Any = None) -> Any:
    """Inverse of :func:`rfftn` (``numpy.fft.irfftn``): real output of sizes ``s``."""
    a, sizes, axes = _prepare(a, s, axes, out, inverse_real=True)
    for n, ax in zip(sizes[:-1], axes[:-1]):
        a = resize(a, ax, n)
    a = resize(a, axes[-1], sizes[-1] // 2 + 1)
    return irfftn_p(a, s=tuple(sizes), axes=tuple(axes), norm=norm)


def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: Any = None) -> Any:
    """1-D FFT of real input (``numpy.fft.rfft``)."""
    return rfftn(a, _one(n), [axis], norm, out)


def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: Any = None) -> Any:
    """Inverse of :func:`rfft` (``numpy.fft.irfft``); ``n`` defaults to ``2 * (m - 1)``."""
    return irfftn(a, _one(n), [axis], norm, out)


def rfft2(a: Any, s: Axes = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: Any = None) -> Any:
    """2-D FFT of real input (``numpy.fft.rfft2``)."""
    return rfftn(a, s, axes, norm, out)


def irfft2(a: Any, s: Axes = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
           out: Any = None) -> Any:
    """Inverse of :func:`rfft2` (``numpy.fft.irfft2``)."""
    return irfftn(a, s, axes, norm, out)


def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: Any = None) -> Any:
    """FFT of a Hermitian-symmetric signal given by its first half (``numpy.fft.hfft``)."""
    a = asarray(a)
    if n is None:
        n = 2 * (shape(a)[axis] - 1)
    return irfft(conj(a), n, axis, _SWAP[norm], out)


def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: Any = None) -> Any:
    """Inverse of :func:`hfft` (``numpy.fft.ihfft``)."""
    return conj(rfft(a, n, axis, _SWAP[norm], out))


# -- shifts ---------------------------------------------------------------------------------
def _roll_axes(x: Any, axes: int | Sequence[int] | None, sign: int) -> Any:
    x = asarray(x)
    nd = ndim(x)
    if axes is None:
        axes = range(nd)
    elif isinstance(axes, (int, np.integer)):
        axes = [axes]
    for ax in axes:
        ax = int(ax) % nd
        n = shape(x)[ax]
        # Rolling is indexing with a permutation (its transpose scatters back).
        perm = (np.arange(n) - sign * (n // 2)) % n
        x = getitem_p(x, idx=(slice(None),) * ax + (perm,))
    return x


def fftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """Move the zero-frequency bin to the centre (``numpy.fft.fftshift``)."""
    return _roll_axes(x, axes, 1)


def ifftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """Inverse of :func:`fftshift` (``numpy.fft.ifftshift``)."""
    return _roll_axes(x, axes, -1)

