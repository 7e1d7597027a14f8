"""Specs for the Fourier transforms (wengert/rules/fft.py, wengert/numpy/fft.py).

Complex results are checked through their stacked real and imaginary parts.
The real-to-complex and complex-to-real transforms are the delicate ones (the
half spectrum's doubled bins), so they get even and odd lengths, cut and padded
inputs, several axes and every ``norm``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import wengert.numpy as wnp

from .spec import Spec

NORMS = [None, "ortho", "forward"]


def _ri(z: Any) -> Any:
    return wnp.stack([wnp.real(z), wnp.imag(z)])


def _c2c(name: str, cases: list, **kw: Any) -> list[Spec]:
    """A complex-to-complex transform under every norm, real and complex inputs."""
    out = []
    for norm in NORMS:
        def fn(x: Any, norm: Any = norm) -> Any:
            return _ri(getattr(wnp.fft, name)(x, norm=norm, **kw))

        def ref(x: Any, norm: Any = norm) -> Any:
            z = getattr(np.fft, name)(x, norm=norm, **kw)
            return np.stack([z.real, z.imag])
        out.append(Spec(["fft.fftn"], fn, cases, ref=ref, complex_ok=True,
                        name=f"{name}-{kw}-{norm}"))
    return out


def _complex_in(name: str, shapes: list, **kw: Any) -> Spec:
    """``name`` applied to ``x + iy`` (the complex-to-real transforms)."""
    def fn(x: Any, y: Any) -> Any:
        return getattr(wnp.fft, name)(x + 1j * y, **kw)

    def ref(x: Any, y: Any) -> Any:
        return getattr(np.fft, name)(x + 1j * y, **kw)
    return Spec(["fft.irfftn"], fn, [shapes], ref=ref, name=f"{name}-{shapes}-{kw}")


def _real_in(name: str, shape: tuple, prims: list[str], out: Callable = _ri, **kw: Any) -> Spec:
    def fn(x: Any) -> Any:
        return out(getattr(wnp.fft, name)(x, **kw))
    return Spec(prims, fn, [[shape]], name=f"{name}-{shape}-{kw}")


SPECS = (
    _c2c("fft", [[(5,)], [(3, 4)]])
    + _c2c("fft", [[(6,)], [(2, 5)]], n=4)
    + _c2c("fft", [[(3, 4)]], n=7, axis=0)
    + _c2c("ifft", [[(5,)], [(4, 3)]])
    + _c2c("ifft", [[(2, 3)]], n=5, axis=0)
    + _c2c("fft2", [[(3, 4)], [(2, 3, 4)]])
    + _c2c("ifft2", [[(3, 4)]], s=(2, 6))
    + _c2c("fftn", [[(2, 3, 4)]], axes=(0, 2))
    + _c2c("ifftn", [[(2, 3, 2)]], s=(4, 2), axes=(1, 0))
    + [
        # real to complex: even and odd lengths, cut and padded
        _real_in(name, shape, ["fft.rfftn"], **kw)
        for name, shape, kw in [
            ("rfft", (6,), {}), ("rfft", (5,), {}), ("rfft", (3, 4), dict(axis=0)),
            ("rfft", (7,), dict(n=4)), ("rfft", (4,), dict(n=7, norm="ortho")),
            ("rfft", (2, 5), dict(n=6, norm="forward")),
            ("rfft2", (3, 4), {}), ("rfft2", (3, 5), dict(s=(4, 3), norm="ortho")),
            ("rfftn", (2, 3, 4), dict(axes=(2, 0))), ("rfftn", (2, 3, 3), dict(norm="forward")),
        ]
    ]
    + [
        # complex to real, from a complex spectrum x + iy
        _complex_in(name, shapes, **kw)
        for name, shapes, kw in [
            ("irfft", [(4,), (4,)], {}), ("irfft", [(4,), (4,)], dict(n=7)),
            ("irfft", [(5,), (5,)], dict(n=4, norm="ortho")),
            ("irfft", [(3, 4), (3, 4)], dict(axis=0, norm="forward")),
            ("irfft", [(2, 3), (2, 3)], dict(n=9)),
            ("irfft2", [(3, 4), (3, 4)], {}), ("irfft2", [(3, 3), (3, 3)], dict(s=(4, 5))),
            ("irfftn", [(2, 3, 3), (2, 3, 3)], dict(axes=(0, 1), norm="ortho")),
            ("irfftn", [(3, 2, 3), (3, 2, 3)], dict(s=(2, 4), axes=(2, 0))),
            ("hfft", [(4,), (4,)], {}), ("hfft", [(3, 4), (3, 4)], dict(n=5, norm="ortho")),
        ]
    ]
    + [
        # a real spectrum into irfft: its cotangent must come back real
        Spec(["fft.irfftn"], lambda x: wnp.fft.irfft(x, n=6), [[(4,)], [(2, 4)]],
             ref=lambda x: np.fft.irfft(x, n=6), name="irfft-real-input"),
        _real_in("ihfft", (6,), ["fft.rfftn", "conjugate"]),
        _real_in("ihfft", (5,), ["fft.rfftn", "conjugate"], n=7, norm="forward"),
        # round trips and products, so second derivatives meet non-trivial first ones
        Spec(["fft.rfftn", "fft.irfftn"], lambda x: wnp.fft.irfft(wnp.fft.rfft(x) ** 2, n=5),
             [[(5,)], [(2, 5)]], name="rfft-square-irfft"),
        Spec(["fft.fftn"], lambda x: wnp.real(wnp.fft.fft(x) * wnp.conj(wnp.fft.fft(x))),
             [[(5,)]], name="fft-power-spectrum"),
        Spec(["getitem"], lambda x: wnp.fft.fftshift(x), [[(5,)], [(4, 3)]],
             ref=np.fft.fftshift, name="fftshift"),
        Spec(["getitem"], lambda x: wnp.fft.ifftshift(x, axes=1), [[(4, 3)]],
             ref=lambda x: np.fft.ifftshift(x, axes=1), name="ifftshift"),
    ]
)
