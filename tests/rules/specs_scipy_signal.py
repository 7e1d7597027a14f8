"""Specs for SciPy's convolutions (wengert/rules/scipy_signal.py, wengert/scipy/signal.py)."""

from __future__ import annotations

import scipy.signal as ss

import wengert.scipy.signal as ws

from .spec import Spec

_PRIMS = ["scipy.signal.convolve", "getitem"]
_SHAPES = [[(5,), (3,)], [(3,), (5,)], [(4, 5), (2, 3)], [(2, 3, 2), (2, 2, 2)]]


def _spec(name: str, mode: str, method: str) -> Spec:
    f, g = getattr(ws, name), getattr(ss, name)
    return Spec(_PRIMS, lambda a, b: f(a, b, mode, method), _SHAPES,
                ref=lambda a, b: g(a, b, mode, method), name=f"{name}[{mode},{method}]",
                complex_ok=True, atol=1e-7)


SPECS = [
    *[_spec(n, m, meth) for n in ("convolve", "correlate") for m in ("full", "valid", "same")
      for meth in ("direct", "fft")],
    *[Spec(_PRIMS, lambda a, b, m=m: ws.fftconvolve(a, b, m), [[(6,), (3,)], [(3, 4), (2, 2)]],
           ref=lambda a, b, m=m: ss.fftconvolve(a, b, m), name=f"fftconvolve[{m}]")
      for m in ("full", "valid", "same")],
    Spec(_PRIMS, lambda a, b: ws.fftconvolve(a, b, "same", axes=1),
         [[(3, 5), (1, 3)], [(1, 4), (2, 3)]],
         ref=lambda a, b: ss.fftconvolve(a, b, "same", axes=1), name="fftconvolve[axes]"),
    *[Spec(_PRIMS, lambda a, b, n=n, m=m: getattr(ws, n)(a, b, m),
           [[(4, 5), (2, 3)], [(2, 3), (4, 5)]],
           ref=lambda a, b, n=n, m=m: getattr(ss, n)(a, b, m), name=f"{n}[{m}]")
      for n in ("convolve2d", "correlate2d") for m in ("full", "valid", "same")],
]
