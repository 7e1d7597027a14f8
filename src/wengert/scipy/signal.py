"""``wengert.scipy.signal``: differentiable N-d ``convolve``, ``correlate``, ``fftconvolve``.

Each is a slice of the full convolution primitive (:mod:`wengert.rules.scipy_signal`):
``valid`` keeps the part where one input covers the other, ``same`` the centre of
the size of ``in1``; ``correlate(a, v)`` is ``convolve(a, v)`` with ``v`` flipped
(and conjugated), SciPy's definition.  Gradients flow to both inputs, in both modes,
to any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..rules._util import dtype, ndim, shape
from ..rules.elementwise import conj
from ..rules.scipy_signal import convolve_p, flip
from ..rules.shape import getitem_p, traced_array

__all__ = ["convolve", "correlate", "fftconvolve", "convolve2d", "correlate2d"]

_MODES = ("full", "valid", "same")
_METHODS = ("auto", "direct", "fft")


def _check(fname: str, in1: Any, in2: Any, mode: str, method: str | None = None) -> None:
    if mode not in _MODES:
        raise ValueError(f"wengert.scipy.signal.{fname}: mode must be 'full', 'valid' or "
                         f"'same', not {mode!r}")
    if method is not None and method not in _METHODS:
        raise ValueError(f"wengert.scipy.signal.{fname}: method must be 'auto', 'direct' or "
                         f"'fft', not {method!r}")
    if ndim(in1) != ndim(in2):
        raise ValueError(f"wengert.scipy.signal.{fname}: in1 and in2 should have the same "
                         f"dimensionality (got {ndim(in1)} and {ndim(in2)})")


def _window(fname: str, full: Any, s1: tuple, s2: tuple, mode: str, axes: tuple,
            late: bool = False) -> Any:
    """The ``mode`` part of the full convolution along ``axes`` (``late``: the centre of
    an even-sized kernel rounded up, as ``correlate2d`` takes it)."""
    if mode == "full":
        return full
    if mode == "valid":
        small = [all(s1[i] >= s2[i] for i in axes), all(s2[i] >= s1[i] for i in axes)]
        if not any(small):
            raise ValueError(f"wengert.scipy.signal.{fname}: for 'valid' mode, one must be at "
                             f"least as large as the other in every dimension (shapes {s1} "
                             f"and {s2})")
    idx = []
    for i in range(len(s1)):
        if i not in axes:  # broadcast; 'same' still cuts it to in1's size, as SciPy does
            cur = max(s1[i], s2[i])
            start = (cur - s1[i]) // 2 if mode == "same" else 0
            idx.append(slice(start, start + (s1[i] if mode == "same" else cur)))
        elif mode == "valid":
            start = min(s1[i], s2[i]) - 1
            idx.append(slice(start, start + abs(s1[i] - s2[i]) + 1))
        else:  # same: the centre, in1's size
            start = s2[i] // 2 if late else (s2[i] - 1) // 2
            idx.append(slice(start, start + s1[i]))
    return getitem_p(full, idx=tuple(idx))


def _conv(fname: str, in1: Any, in2: Any, mode: str, method: str, axes: tuple | None,
          late: bool = False) -> Any:
    in1, in2 = traced_array(in1), traced_array(in2)
    if ndim(in1) == 0 or 0 in tuple(shape(in1)) + tuple(shape(in2)):
        if ndim(in1) == 0:  # SciPy: a 0-d convolution is the product
            return in1 * in2
        return np.zeros((0,) * ndim(in1), dtype=np.result_type(dtype(in1), dtype(in2)))
    full = convolve_p(in1, in2, method=method, axes=axes)
    ax = tuple(range(ndim(in1))) if axes is None else axes
    return _window(fname, full, tuple(shape(in1)), tuple(shape(in2)), mode, ax, late)


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """The N-d convolution of ``in1`` and ``in2`` (``scipy.signal.convolve``)."""
    _check("convolve", in1, in2, mode, method)
    return _conv("convolve", in1, in2, mode, method, None)


def _reverse_conj(x: Any, axes: tuple) -> Any:
    x = traced_array(x)
    x = flip(x, axes)
    return conj(x) if dtype(x).kind == "c" else x


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """The N-d cross-correlation ``z[k] = Σₗ in1[l] conj(in2[l - k + N - 1])``
    (``scipy.signal.correlate``)."""
    _check("correlate", in1, in2, mode, method)
    return _conv("correlate", in1, _reverse_conj(in2, tuple(range(ndim(in2)))), mode, method,
                 None)


def _axes(fname: str, axes: Any, nd: int) -> tuple | None:
    if axes is None:
        return None
    seq = [axes] if np.ndim(axes) == 0 else list(axes)
    try:
        out = tuple(sorted({int(a) % nd for a in seq if -nd <= int(a) < nd}))
    except TypeError:
        raise TypeError(f"wengert.scipy.signal.{fname}: axes must be an int or a sequence of "
                        f"ints, not {axes!r}") from None
    if len(out) != len(set(seq)):
        raise ValueError(f"wengert.scipy.signal.{fname}: axes {axes!r} out of range for "
                         f"{nd}-d inputs, or repeated")
    return out if out != tuple(range(nd)) else None


def fftconvolve(in1: Any, in2: Any, mode: str = "full",
                axes: int | Sequence[int] | None = None) -> Any:
    """Convolution by FFT (``scipy.signal.fftconvolve``); with ``axes``, only those axes
    are convolved and the others broadcast."""
    _check("fftconvolve", in1, in2, mode)
    ax = _axes("fftconvolve", axes, ndim(in1))
    if ax is not None:
        for i in range(ndim(in1)):
            if i not in ax and 1 not in (shape(in1)[i], shape(in2)[i]) \
                    and shape(in1)[i] != shape(in2)[i]:
                raise ValueError(f"wengert.scipy.signal.fftconvolve: axis {i} is not "
                                 f"convolved, so its sizes must broadcast (got {shape(in1)[i]} "
                                 f"and {shape(in2)[i]})")
    return _conv("fftconvolve", in1, in2, mode, "fft", ax)


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
               fillvalue: float = 0) -> Any:
    """``scipy.signal.convolve2d`` with zero padding (``boundary='fill'``, ``fillvalue=0``)."""
    _check2d("convolve2d", in1, in2, boundary, fillvalue)
    return convolve(in1, in2, mode, method="direct")


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
                fillvalue: float = 0) -> Any:
    """``scipy.signal.correlate2d`` with zero padding (``boundary='fill'``, ``fillvalue=0``)."""
    _check2d("correlate2d", in1, in2, boundary, fillvalue)
    _check("correlate2d", in1, in2, mode)
    if mode == "valid" and not all(a >= b for a, b in zip(shape(in1), shape(in2))):
        # SciPy swaps the inputs here and reverses the result without conjugating it
        # (unlike correlate): the same for real input, the conjugate for complex.
        swapped = _conv("correlate2d", in2, _reverse_conj(in1, (0, 1)), mode, "direct", None)
        return flip(swapped, (0, 1))
    return _conv("correlate2d", in1, _reverse_conj(in2, (0, 1)), mode, "direct", None,
                 late=True)


def _check2d(fname: str, in1: Any, in2: Any, boundary: str, fillvalue: float) -> None:
    if ndim(in1) != 2 or ndim(in2) != 2:
        raise ValueError(f"wengert.scipy.signal.{fname}: in1 and in2 must be 2-D, not "
                         f"{ndim(in1)}-d and {ndim(in2)}-d")
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"wengert.scipy.signal.{fname}: only boundary='fill' with "
                                  f"fillvalue=0 is supported; pad the input with "
                                  f"wengert.numpy.pad for other boundaries")
