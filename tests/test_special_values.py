"""Values of wengert.special against scipy.special, with SciPy and with the NumPy fallback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.special as sp

import wengert
import wengert.special as ws
from wengert.rules import special as rs

RNG = np.random.default_rng(1234)


def _noninteger(lo: float, hi: float, n: int = 400) -> np.ndarray:
    x = RNG.uniform(lo, hi, n)
    return x[np.abs(x - np.round(x)) > 1e-3]


@pytest.fixture(params=["scipy", "numpy"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "numpy":
        monkeypatch.setattr(rs, "_sp", None)
    yield request.param


def _close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-13, atol: float = 0.0) -> None:
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


WIDE = np.concatenate([RNG.uniform(-6, 6, 500), np.linspace(-30, 30, 61)])
EDGES = np.array([0.0, -0.0, -1.0, -2.0, 0.5, 1.0, 2.0, np.inf, np.nan, 1e-300, 1e300])


@pytest.mark.parametrize("name", ["erf", "erfc", "expit", "ndtr", "log_ndtr", "entr"])
def test_functions_of_the_real_line(backend: str, name: str) -> None:
    x = np.concatenate([WIDE, EDGES, -EDGES, [-40.0, -25.0, 25.0, 40.0]])
    with np.errstate(all="ignore"):
        # The tails of log_ndtr and ndtr lose ~x² ulps to the rounding of x/√2 (SciPy too).
        _close(getattr(ws, name)(x), getattr(sp, name)(x), rtol=1e-12, atol=1e-300)


def test_gamma_family(backend: str) -> None:
    pos = np.concatenate([RNG.uniform(1e-3, 3, 300), RNG.uniform(3, 300, 300)])
    neg = _noninteger(-20, 0)
    x = np.concatenate([pos, neg])
    with np.errstate(all="ignore"):
        _close(ws.gammaln(x), sp.gammaln(x), rtol=1e-12, atol=1e-14)
        _close(ws.gamma(x[x < 170]), sp.gamma(x[x < 170]), rtol=1e-12)
        _close(ws.digamma(x), sp.digamma(x), rtol=1e-12, atol=1e-14)
        _close(ws.psi(x), sp.psi(x), rtol=1e-12, atol=1e-14)
        for n in (1, 2, 3, 4):
            _close(ws.polygamma(n, x), sp.polygamma(n, x), rtol=1e-11)
        for f in (ws.gammaln, ws.gamma, ws.digamma):
            _close(f(EDGES), getattr(sp, f.__name__)(EDGES))
        for n in (1, 2):
            _close(ws.polygamma(n, EDGES), sp.polygamma(n, EDGES))


def test_gammaln_is_exact_near_its_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    # math.lgamma alone is only absolutely accurate near 1 and 2; the fallback's series
    # keeps relative accuracy there (better than SciPy's, so only the fallback is checked).
    monkeypatch.setattr(rs, "_sp", None)
    assert ws.gammaln(1.0) == 0.0 and ws.gammaln(2.0) == 0.0
    small = np.array([1e-8, -1e-8, 1e-5, -1e-4])
    zeta = [np.pi**2 / 6, 1.2020569031595942, np.pi**4 / 90]
    for base, c in ((1.0, 0.0), (2.0, 1.0)):  # log Γ(1 + z) and log Γ(2 + z) as series
        z = (base + small) - base  # what base + small holds exactly
        taylor = (c - np.euler_gamma + (zeta[0] - c) / 2 * z - (zeta[1] - c) / 3 * z**2
                  + (zeta[2] - c) / 4 * z**3)
        _close(ws.gammaln(base + z) / z, taylor, rtol=1e-14)


def test_erfinv_and_logit(backend: str) -> None:
    u = np.concatenate([RNG.uniform(-1, 1, 500), 1 - 10.0 ** -RNG.uniform(1, 15.9, 100),
                        -1 + 10.0 ** -RNG.uniform(1, 15.9, 100), [0.0, 0.5, 1.0, -1.0, 1.5]])
    with np.errstate(all="ignore"):
        _close(ws.erfinv(u), sp.erfinv(u), rtol=1e-13, atol=1e-300)
        p = np.concatenate([RNG.uniform(0, 1, 500), [0.0, 1.0, 0.5, 1e-300, 2.0]])
        _close(ws.logit(p), sp.logit(p), rtol=1e-13, atol=1e-15)
    y = RNG.uniform(-1, 1, 100)
    _close(ws.erf(ws.erfinv(y)), y, rtol=1e-15, atol=1e-16)


def test_xlogy_and_xlog1py(backend: str) -> None:
    x = np.concatenate([RNG.uniform(-3, 3, 200), np.zeros(5)])
    y = np.concatenate([RNG.uniform(0, 4, 200), [0.0, 1.0, np.inf, 2.0, np.nan]])
    with np.errstate(all="ignore"):
        _close(ws.xlogy(x, y), sp.xlogy(x, y))
        _close(ws.xlog1py(x, y - 1), sp.xlog1py(x, y - 1))
        _close(ws.betaln(y[:200], y[::-1][5:]), sp.betaln(y[:200], y[::-1][5:]), rtol=1e-12)


def test_float32_stays_float32(backend: str) -> None:
    x = np.linspace(0.1, 3, 7, dtype=np.float32)
    for f in (ws.erf, ws.gammaln, ws.expit, ws.entr):
        out = f(x)
        assert out.dtype == np.float32
        _close(out, getattr(sp, f.__name__)(x), rtol=1e-6)


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "gammaln", "gamma", "digamma", "expit",
                                  "logit", "entr", "ndtr", "log_ndtr"])
def test_scalars_give_scalars(backend: str, name: str) -> None:
    out = getattr(ws, name)(0.3)
    assert np.ndim(out) == 0
    assert out == pytest.approx(getattr(sp, name)(0.3), rel=1e-14)


def test_polygamma_needs_a_nonnegative_integer_order() -> None:
    for n in (-1, 1.5, [1, 2]):
        with pytest.raises(ValueError, match="non-negative integer"):
            ws.polygamma(n, 1.0)  # type: ignore[arg-type]


# -- logsumexp and softmax ------------------------------------------------------------------
def test_logsumexp_matches_scipy() -> None:
    a = RNG.normal(size=(3, 4, 2))
    b = RNG.uniform(0, 2, size=(4, 1))
    for axis in (None, 0, 1, -1, (0, 2)):
        for keepdims in (False, True):
            _close(ws.logsumexp(a, axis=axis, keepdims=keepdims),
                   sp.logsumexp(a, axis=axis, keepdims=keepdims))
            _close(ws.logsumexp(a, axis=axis, b=b, keepdims=keepdims),
                   sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims))
        _close(ws.softmax(a, axis=axis), sp.softmax(a, axis=axis))
        _close(ws.log_softmax(a, axis=axis), sp.log_softmax(a, axis=axis))
    got, sign = ws.logsumexp(a[0], axis=1, b=b - 1, return_sign=True)
    want, want_sign = sp.logsumexp(a[0], axis=1, b=b - 1, return_sign=True)
    _close(got, want)
    np.testing.assert_array_equal(sign, want_sign)


def test_logsumexp_is_stable_for_huge_inputs() -> None:
    big = np.array([1e4, 1e4, -1e4])
    assert ws.logsumexp(big) == 1e4 + np.log(2.0)
    assert ws.logsumexp(-big[:2]) == -1e4 + np.log(2.0)
    np.testing.assert_array_equal(ws.softmax(big), [0.5, 0.5, 0.0])
    log2 = np.log(2.0)
    np.testing.assert_array_equal(ws.log_softmax(big), [-log2, -log2, -2e4 - log2])
    assert ws.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    assert ws.logsumexp(np.array([np.inf, 0.0])) == np.inf
    assert ws.logsumexp(np.array([1e4, 0.0]), b=np.array([0.0, 1.0])) == 0.0


def test_derivatives_are_finite_for_huge_inputs() -> None:
    big = np.array([1e4, 1e4, -1e4])
    np.testing.assert_array_equal(wengert.grad(ws.logsumexp)(big), [0.5, 0.5, 0.0])
    hess = wengert.hessian(ws.logsumexp)(big)
    np.testing.assert_allclose(hess, [[0.25, -0.25, 0], [-0.25, 0.25, 0], [0, 0, 0]])
    g = wengert.grad(lambda x: ws.log_softmax(x)[0])(big)
    np.testing.assert_array_equal(g, [0.5, -0.5, 0.0])
    assert np.isfinite(wengert.grad(lambda x: ws.softplus(x).sum())(big)).all()
    assert np.isfinite(wengert.grad(lambda x: ws.expit(x).sum())(big)).all()


def test_works_without_scipy() -> None:
    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import numpy as np, wengert, wengert.special as ws\n"
        "from wengert.rules import special as rs\n"
        "assert rs.scipy_special() is None\n"
        "print(repr(float(ws.gammaln(4.5))), repr(float(wengert.grad(ws.digamma)(2.0))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert float(out[0]) == pytest.approx(sp.gammaln(4.5), rel=1e-15)
    assert float(out[1]) == pytest.approx(sp.polygamma(1, 2.0), rel=1e-15)


def test_gammasgn_with_and_without_scipy(monkeypatch):
    import scipy.special as sp

    from wengert.rules import special as rules
    x = np.array([-3.0, 0.0, -2.5, -1.5, 0.5, np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(ws.gammasgn(x), sp.gammasgn(x))
    monkeypatch.setattr(rules, "_sp", None)
    np.testing.assert_array_equal(ws.gammasgn(x), sp.gammasgn(x))
    assert ws.gammasgn(-2.5) == -1.0


def test_scipy_only_functions_say_what_they_need(monkeypatch):
    from wengert.rules import special as rules
    monkeypatch.setattr(rules, "_sp", None)
    with pytest.raises(ImportError, match="jv needs SciPy"):
        ws.j0(1.0)
