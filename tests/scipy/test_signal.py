"""``wengert.scipy.signal``: values against SciPy, the VJP as a correlation, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import wengert
import wengert.numpy as wnp
import wengert.scipy.signal as ws
from wengert.numeric import check_grads

RNG = np.random.default_rng(5)
SHAPES = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((6,), (1,)), ((4, 5), (2, 3)),
          ((2, 3), (4, 5)), ((3, 2), (2, 3)), ((3, 4, 2), (2, 2, 2))]


@pytest.mark.parametrize("s1,s2", SHAPES)
def test_values_match_scipy_in_every_mode_and_method(s1: tuple, s2: tuple) -> None:
    x, h = RNG.normal(size=s1), RNG.normal(size=s2) + 1j * RNG.normal(size=s2)
    for mode in ("full", "valid", "same"):
        for name in ("convolve", "correlate"):
            for method in ("direct", "fft", "auto"):
                try:
                    want = getattr(ss, name)(x, h, mode, method)
                except ValueError:  # 'valid' with neither input covering the other
                    with pytest.raises(ValueError, match="at least as large"):
                        getattr(ws, name)(x, h, mode, method)
                    continue
                np.testing.assert_allclose(getattr(ws, name)(x, h, mode, method), want,
                                           atol=1e-12)
        if len(s1) == 2:
            for name in ("convolve2d", "correlate2d"):
                try:
                    want = getattr(ss, name)(x, h, mode)
                except ValueError:
                    continue
                np.testing.assert_allclose(getattr(ws, name)(x, h, mode), want, atol=1e-12)


def test_vjp_of_convolution_is_a_correlation_and_vice_versa() -> None:
    x, h = RNG.normal(size=(7, 6)), RNG.normal(size=(3, 2))
    g = RNG.normal(size=(9, 7))
    _, pull = wengert.vjp(lambda a, b: ws.convolve(a, b), x, h)
    gx, gh = pull(g)
    np.testing.assert_allclose(gx, ss.correlate(g, h, "valid"), atol=1e-12)
    np.testing.assert_allclose(gh, ss.correlate(g, x, "valid"), atol=1e-12)
    g2 = RNG.normal(size=(5, 5))
    _, pull = wengert.vjp(lambda a, b: ws.correlate(a, b, "valid"), x, h)
    np.testing.assert_allclose(pull(g2)[0], ss.convolve(g2, h, "full"), atol=1e-12)


def test_auto_method_on_larger_input_and_fftconvolve_axes() -> None:
    x, h = RNG.normal(size=(64, 64)), RNG.normal(size=(9, 9))
    assert ss.choose_conv_method(x, h) == "fft"
    f = lambda a, b: wnp.sum(ws.convolve(a, b, "same") ** 2)  # noqa: E731
    check_grads(f, (x[:20, :20], h), order=1)
    gx = wengert.grad(f)(x, h)
    assert gx.shape == x.shape
    batch, kernel = RNG.normal(size=(4, 16)), RNG.normal(size=(1, 5))
    np.testing.assert_allclose(ws.fftconvolve(batch, kernel, "valid", axes=[-1]),
                               ss.fftconvolve(batch, kernel, "valid", axes=[-1]))
    check_grads(lambda a, b: ws.fftconvolve(a, b, "same", axes=1), (batch, kernel), order=2)


def test_bad_arguments_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="mode must be"):
        ws.convolve(np.ones(3), np.ones(2), "sane")
    with pytest.raises(ValueError, match="method must be"):
        ws.correlate(np.ones(3), np.ones(2), method="fast")
    with pytest.raises(ValueError, match="same dimensionality"):
        ws.convolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(NotImplementedError, match="boundary"):
        ws.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="wrap")
    with pytest.raises(ValueError, match="must broadcast"):
        ws.fftconvolve(np.ones((3, 4)), np.ones((2, 2)), axes=1)
