"""wengert.numpy.fft against numpy.fft, and derivatives against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp

RNG = np.random.default_rng(7)
X = RNG.normal(size=(4, 6))
Z = X + 1j * RNG.normal(size=(4, 6))

CASES = [
    ("fft", Z, {}), ("fft", X, dict(n=4)), ("fft", X, dict(n=9, axis=0, norm="ortho")),
    ("ifft", Z, dict(norm="forward")), ("ifft", Z, dict(n=3, axis=-2)),
    ("fftn", Z, {}), ("fftn", Z, dict(s=(3, 8), axes=(0, 1))),
    ("fftn", Z, dict(s=(-1, 5), axes=(0, 1))),
    ("ifftn", Z, dict(axes=(1,))), ("fft2", X, dict(axes=(1, 0))), ("ifft2", Z, dict(s=(5, 5))),
    ("rfft", X, {}), ("rfft", X, dict(n=5)), ("rfft", X, dict(axis=0, norm="forward")),
    ("rfftn", X, dict(s=(5, 7), axes=(0, 1))), ("rfft2", X, dict(norm="ortho")),
    ("irfft", Z, {}), ("irfft", Z, dict(n=7)), ("irfft", Z, dict(n=4, axis=0, norm="ortho")),
    ("irfftn", Z, dict(s=(3, 9), axes=(0, 1))), ("irfft2", Z, {}), ("irfftn", Z, dict(axes=(1, 0))),
    ("hfft", Z, dict(n=5)), ("hfft", Z, dict(norm="ortho")), ("ihfft", X, dict(norm="forward")),
    ("fftshift", X, {}), ("fftshift", X, dict(axes=0)), ("ifftshift", X, dict(axes=(1,))),
]


@pytest.mark.parametrize("name,x,kw", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_values_match_numpy(name: str, x: np.ndarray, kw: dict) -> None:
    want = getattr(np.fft, name)(x, **kw)
    got = getattr(wnp.fft, name)(x, **kw)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


def test_lists_float32_and_passthroughs() -> None:
    np.testing.assert_allclose(wnp.fft.fft([1.0, 2.0, 3.0]), np.fft.fft([1.0, 2.0, 3.0]))
    assert wnp.fft.rfft(X.astype(np.float32)).dtype == np.fft.rfft(X.astype(np.float32)).dtype
    assert wnp.fft.fftfreq is np.fft.fftfreq and wnp.fft.rfftfreq is np.fft.rfftfreq


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="out="):
        wnp.fft.fft(Z, out=np.empty_like(Z))
    with pytest.raises(np.exceptions.AxisError):
        wnp.fft.fft(Z, axis=2)
    with pytest.raises(ValueError, match="different lengths"):
        wnp.fft.fftn(Z, s=(2, 3), axes=(0,))
    with pytest.raises(ValueError, match="Invalid number"):
        wnp.fft.fft(Z, n=0)


def test_numpy_fft_on_traced_values_dispatches() -> None:
    g = wengert.grad(lambda x: np.real(np.fft.fft(x)[1] * 2))(X[0])
    np.testing.assert_allclose(g, 2 * np.cos(2 * np.pi * np.arange(6) / 6))


def test_parseval_gradient() -> None:
    # Σ_k w_k |rfft(x)_k|² = n Σ x², the half spectrum's bins counted once or twice.
    n = 7
    w = np.array([1.0, 2, 2, 2])
    x = RNG.normal(size=n)

    def energy(v: np.ndarray) -> np.ndarray:
        f = wnp.fft.rfft(v)
        return wnp.sum(w * wnp.real(f * wnp.conj(f)))
    np.testing.assert_allclose(energy(x), n * np.sum(x * x))
    np.testing.assert_allclose(wengert.grad(energy)(x), 2 * n * x)
    np.testing.assert_allclose(wengert.hessian(energy)(x), 2 * n * np.eye(n), atol=1e-12)


def _ri(z: np.ndarray) -> np.ndarray:
    return wnp.stack([wnp.real(z), wnp.imag(z)])


@pytest.mark.parametrize("n", [6, 7])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_jacobians_are_the_dft_matrices(n: int, norm: str | None) -> None:
    m = n // 2 + 1
    scale = {None: 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]
    dft = np.exp(-2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)
    jac = wengert.jacfwd(lambda v: wnp.fft.rfft(v, norm=norm))(RNG.normal(size=n))
    np.testing.assert_allclose(jac, scale * dft[:m], atol=1e-12)
    jac = wengert.jacrev(lambda v: _ri(wnp.fft.rfft(v, norm=norm)))(RNG.normal(size=n))
    np.testing.assert_allclose(jac[0] + 1j * jac[1], scale * dft[:m], atol=1e-12)
    jac = wengert.jacfwd(lambda v: wnp.fft.fft(v, norm=norm))(RNG.normal(size=n))
    np.testing.assert_allclose(jac, scale * dft, atol=1e-12)
    # irfft of a real spectrum: bins 1..(n-1)/2 count twice.
    inv = {None: 1.0 / n, "ortho": n ** -0.5, "forward": 1.0}[norm]
    mult = np.where((np.arange(m) == 0) | (2 * np.arange(m) == n), 1.0, 2.0)
    want = inv * (dft.conj()[:, :m] * mult).real
    for jacobian in (wengert.jacfwd, wengert.jacrev):
        got = jacobian(lambda v: wnp.fft.irfft(v, n=n, norm=norm))(RNG.normal(size=m))
        np.testing.assert_allclose(got, want, atol=1e-12)
