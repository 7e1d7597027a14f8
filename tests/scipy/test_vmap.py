"""``vmap`` of the ``wengert.scipy`` functions beyond the spec tables (which check
``vmap`` and ``vmap(grad)`` of every spec in tests/rules/test_batching.py): forward
mode under ``vmap``, nested ``vmap``, values computed per example (pivots, the
convolution method), batched output times; each against a loop."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.linalg as sl
import scipy.signal as ss

import wengert
import wengert.numpy as wnp
import wengert.scipy.linalg as wl
import wengert.scipy.signal as ws
from wengert.scipy.integrate import odeint

RNG = np.random.default_rng(11)
B, N = 3, 3


@pytest.fixture(autouse=True)
def _no_loop() -> Iterator[None]:
    """No primitive may fall back to vmap's per-example loop."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="vmap: primitive")
        yield


def _loop(fn: object, *columns: np.ndarray) -> np.ndarray:
    return np.stack([fn(*ex) for ex in zip(*columns)])  # type: ignore[operator]


def _close(got: object, want: object) -> None:
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)  # type: ignore[arg-type]


def test_expm_frechet_of_examples_of_different_scales() -> None:
    """The block's scale is the batch's: still each example's answer, a zero E's zero."""
    a = RNG.normal(size=(B, N, N)) / 3
    e = RNG.normal(size=(B, N, N))
    e[1] = 0.0
    e[2] *= 1e-12
    got = wengert.vmap(lambda x, y: wl.expm_frechet(x, y, compute_expm=False))(a, e)
    want = _loop(lambda x, y: sl.expm_frechet(x, y, compute_expm=False), a, e)
    assert np.all(got[1] == 0.0)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-9, atol=0)
    _close(got, want)


def test_vmap_of_jvp_of_matrix_functions() -> None:
    a = np.eye(N) + RNG.normal(size=(B, N, N)) / 12
    t = RNG.normal(size=(B, N, N))
    for f in (wl.expm, wl.logm, wl.sqrtm):
        def tangent(x: np.ndarray, dx: np.ndarray, f: object = f) -> np.ndarray:
            return wengert.jvp(f, (x,), (dx,))[1]
        _close(wengert.vmap(tangent)(a, t), _loop(tangent, a, t))


def test_nested_vmap_of_lu_solve() -> None:
    a = RNG.normal(size=(2, B, N, N)) + N * np.eye(N)
    b = RNG.normal(size=(2, B, N))
    got = wengert.vmap(wengert.vmap(lambda x, y: wl.lu_solve(wl.lu_factor(x), y)))(a, b)
    _close(got, np.linalg.solve(a, b[..., None])[..., 0])


def test_lu_solve_with_batched_pivots_on_the_last_axis() -> None:
    a = RNG.normal(size=(B, N, N)) + N * np.eye(N)
    b = RNG.normal(size=(B, N))
    lu, piv = wengert.vmap(wl.lu_factor)(a)
    assert piv.dtype == np.int32 and piv.shape == (B, N)
    for t in (0, 1):
        got = wengert.vmap(lambda x, p, y, t=t: wl.lu_solve((x, p), y, t),
                           in_axes=(0, -1, 0))(lu, np.ascontiguousarray(piv.T), b)
        _close(got, _loop(lambda x, p, y, t=t: sl.lu_solve((x, p), y, t), lu, piv, b))


def test_vmap_of_jacfwd_and_jacrev_of_lu_solve() -> None:
    a = RNG.normal(size=(B, N, N)) + N * np.eye(N)
    b = RNG.normal(size=(B, N))

    def solve(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return wl.lu_solve(wl.lu_factor(x), y)
    want = _loop(wengert.jacrev(solve), a, b)
    _close(wengert.vmap(wengert.jacfwd(solve))(a, b), want)
    _close(wengert.vmap(wengert.jacrev(solve))(a, b), want)


@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_convolve_both_batched_and_its_per_example_kernel_gradient(method: str) -> None:
    x, h = RNG.normal(size=(B, 30)), RNG.normal(size=(B, 5))
    _close(wengert.vmap(lambda u, v: ws.convolve(u, v, "same", method))(x, h),
           _loop(lambda u, v: ss.convolve(u, v, "same", method), x, h))

    def loss(u: np.ndarray, v: np.ndarray) -> object:
        return wnp.sum(ws.correlate(u, v, "valid", method) ** 2)
    grad_h = wengert.grad(loss, argnums=1)
    _close(wengert.vmap(grad_h)(x, h), _loop(grad_h, x, h))


def test_convolve_of_integers_stays_exact() -> None:
    x = RNG.integers(-9, 9, size=(B, 7))
    h = RNG.integers(-9, 9, size=(4,))
    for method in ("auto", "fft"):
        got = wengert.vmap(lambda u, m=method: ws.convolve(u, h, method=m))(x)
        want = _loop(lambda u, m=method: ss.convolve(u, h, method=m), x)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_nested_vmap_of_correlate_and_fftconvolve_on_axes() -> None:
    x = RNG.normal(size=(2, B, 5, 6))
    h = RNG.normal(size=(3, 2))
    got = wengert.vmap(wengert.vmap(lambda u: ws.correlate(u, h, "valid")))(x)
    _close(got, np.stack([[ss.correlate(u, h, "valid") for u in row] for row in x]))
    k = RNG.normal(size=(2, B, 1, 3))
    got = wengert.vmap(wengert.vmap(lambda u, v: ws.fftconvolve(u, v, "same", axes=1)))(x, k)
    _close(got, np.stack([[ss.fftconvolve(u, v, "same", axes=1) for u, v in zip(r, s)]
                          for r, s in zip(x, k)]))


def _decay(y: object, t: object, k: object) -> object:
    return -k * y + wnp.sin(3.0 * t) * y[::-1]  # type: ignore[operator,index]


def _solve(y0: object, t: object, k: object) -> object:
    return odeint(_decay, y0, t, k, rtol=1e-10, atol=1e-10)


def test_odeint_with_batched_times_in_both_modes() -> None:
    y0 = RNG.normal(size=(B, 2))
    t = np.array([0.0, 0.4, 1.0]) + 0.1 * RNG.uniform(size=(B, 1))
    k = RNG.uniform(1.0, 2.0, size=(B,))
    _close(wengert.vmap(_solve)(y0, t, k), _loop(_solve, y0, t, k))

    grad = wengert.grad(lambda *a: wnp.sum(_solve(*a) ** 2), argnums=(0, 1, 2))
    got = wengert.vmap(grad)(y0, t, k)
    want = [grad(*ex) for ex in zip(y0, t, k)]
    for i in range(3):
        _close(got[i], np.stack([w[i] for w in want]))

    def tangent(y: np.ndarray, s: np.ndarray, c: float) -> np.ndarray:
        return wengert.jvp(lambda s_, c_: _solve(y, s_, c_), (s, c), (np.ones(3), 1.0))[1]
    _close(wengert.vmap(tangent)(y0, t, k), _loop(tangent, y0, t, k))
