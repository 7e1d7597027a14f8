"""wengert.scipy.special: the namespace, its alias wengert.special, values against SciPy
beyond the spec tables, and the errors for derivatives that do not exist."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp

import wengert
import wengert.scipy.special as ws
from wengert import NotDifferentiableError
from wengert.rules import special as rs

RNG = np.random.default_rng(7)

NAMES = ["gamma", "gammaln", "gammasgn", "rgamma", "digamma", "psi", "polygamma",
         "multigammaln", "beta", "betaln", "betainc", "gammainc", "gammaincc", "erf", "erfc",
         "erfinv", "erfcinv", "expit", "logit", "logsumexp", "softmax", "log_softmax", "xlogy",
         "xlog1py", "entr", "j0", "j1", "jn", "y0", "y1", "yn", "i0", "i1", "iv", "ive", "kv",
         "jv", "yv", "ndtr", "log_ndtr", "ndtri"]


def test_the_namespace_has_the_issue_list_and_the_old_name_is_the_same_module() -> None:
    import wengert.scipy as wsc
    import wengert.special
    assert wengert.special is ws and wsc.special is ws
    missing = [n for n in NAMES if not callable(getattr(ws, n, None))]
    assert not missing
    assert set(NAMES) <= set(ws.__all__)


def test_bessel_values_with_negative_and_large_arguments() -> None:
    x = np.concatenate([RNG.uniform(-20, 20, 50), [0.0, 1e-8, 35.0]])
    for f in ("j0", "j1", "y0", "y1", "i0", "i1"):
        xs = np.abs(x) + 1e-3 if f[0] == "y" else x
        np.testing.assert_allclose(getattr(ws, f)(xs), getattr(sp, f)(xs), rtol=1e-13,
                                   atol=1e-300)
    xp = np.abs(x) + 1e-3
    for v in (0, 1, 2.5, 7):
        np.testing.assert_allclose(ws.kv(v, xp), sp.kv(v, xp), rtol=1e-13)
        np.testing.assert_allclose(ws.ive(v, x), sp.ive(v, x), rtol=1e-13, equal_nan=True)
    np.testing.assert_allclose(ws.jn(3, x), sp.jn(3, x), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(ws.yn(2, xp), sp.yn(2, xp), rtol=1e-13)


def test_bessel_derivative_identities() -> None:
    x = RNG.uniform(0.5, 8.0, 6)
    d = wengert.elementwise_grad
    np.testing.assert_allclose(d(ws.j0)(x), -sp.j1(x), rtol=1e-12)
    np.testing.assert_allclose(d(ws.y0)(x), -sp.y1(x), rtol=1e-12)
    np.testing.assert_allclose(d(ws.i0)(x), sp.i1(x), rtol=1e-12)
    np.testing.assert_allclose(d(lambda v: ws.kv(0, v))(x), -sp.kv(1, x), rtol=1e-12)
    np.testing.assert_allclose(d(lambda v: ws.jn(2, v))(x), sp.jvp(2, x), rtol=1e-11)
    np.testing.assert_allclose(d(lambda v: ws.kv(1.5, v))(x), sp.kvp(1.5, x), rtol=1e-11)
    np.testing.assert_allclose(d(lambda v: ws.ive(1, v))(x), sp.ivp(1, x) * np.exp(-x)
                               - sp.ive(1, x), rtol=1e-11)
    # forward mode and second order agree with SciPy's derivatives too
    t = wengert.jvp(lambda v: ws.yn(1, v), (x,), (np.ones(6),))[1]
    np.testing.assert_allclose(t, sp.yvp(1, x), rtol=1e-11)
    h = d(d(lambda v: ws.iv(0.5, v)))(x)
    np.testing.assert_allclose(h, sp.ivp(0.5, x, n=2), rtol=1e-10)


def test_shape_parameter_derivatives_against_finite_differences_of_scipy() -> None:
    a = np.array([0.4, 1.5, 6.0, 40.0])
    b = np.array([0.7, 2.0, 3.0, 35.0])
    x = np.array([0.15, 0.5, 0.8, 0.45])
    h = 1e-6
    ga = wengert.grad(lambda v: ws.gammainc(v, 3 * x).sum())(a)
    fd = (sp.gammainc(a + h, 3 * x) - sp.gammainc(a - h, 3 * x)) / (2 * h)
    np.testing.assert_allclose(ga, fd, rtol=1e-6, atol=1e-9)
    gqa = wengert.grad(lambda v: ws.gammaincc(v, 3 * x).sum())(a)
    np.testing.assert_allclose(gqa, -ga, rtol=1e-14)
    gba, gbb = wengert.grad(lambda u, v: ws.betainc(u, v, x).sum(), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(gba, (sp.betainc(a + h, b, x) - sp.betainc(a - h, b, x)) / (2 * h),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gbb, (sp.betainc(a, b + h, x) - sp.betainc(a, b - h, x)) / (2 * h),
                               rtol=1e-6, atol=1e-9)


def test_shape_parameter_derivatives_at_the_edges() -> None:
    # x = 0: P and I are 0 for every a, so their a-derivatives are 0, not nan.
    assert wengert.grad(lambda a: ws.gammainc(a, 0.0))(1.5) == 0.0
    assert wengert.grad(lambda a: ws.betainc(a, 2.0, 0.0))(1.5) == 0.0
    assert wengert.grad(lambda a: ws.betainc(a, 2.0, 1.0))(1.5) == 0.0
    # Q's far tail keeps relative accuracy (the continued fraction): at a = 1,
    # ∂Q/∂a = ∫ₓ^∞ log t e^(-t) dt + γ e^(-x) = e^(-x) (log x + γ) + E₁(x).
    for x in (3.0, 50.0, 300.0):
        want = np.exp(-x) * (np.log(x) + np.euler_gamma) + sp.exp1(x)
        assert wengert.grad(lambda a, x=x: ws.gammaincc(a, x))(1.0) == pytest.approx(want,
                                                                                  rel=1e-12)
        assert wengert.grad(lambda a, x=x: ws.gammainc(a, x))(1.0) == pytest.approx(-want,
                                                                                 rel=1e-12)
    # betainc's far tails: at b = 1, I_x(a, 1) = x^a, so ∂/∂a = x^a log x
    for x in (1e-4, 0.3, 0.9999):
        assert wengert.grad(lambda a, x=x: ws.betainc(a, 1.0, x))(2.5) == pytest.approx(
            x**2.5 * np.log(x), rel=1e-12)
    # and so does the derivative of a log-probability there
    g = wengert.grad(lambda a: np.log(ws.gammaincc(a, 60.0)))(1.0)
    assert g == pytest.approx((np.log(60.0) + np.euler_gamma) + sp.exp1(60.0) * np.exp(60.0),
                              rel=1e-12)


@pytest.mark.parametrize("call", [
    lambda n: ws.jn(n, 1.3), lambda n: ws.yn(n, 1.3), lambda v: ws.jv(v, 1.3),
    lambda v: ws.kv(v, 1.3), lambda v: ws.iv(v, 1.3), lambda v: ws.ive(v, 1.3),
    lambda n: ws.polygamma(n, 1.3)])
def test_no_derivative_in_an_order(call: object) -> None:
    for transform in (wengert.grad, lambda f: lambda v: wengert.jvp(f, (v,), (1.0,))):
        with pytest.raises(NotDifferentiableError, match="order"):
            transform(call)(2.0)  # type: ignore[operator]


def test_orders_are_checked() -> None:
    with pytest.raises(ValueError, match="jn: the order must be an integer"):
        ws.jn(1.5, 2.0)
    with pytest.raises(ValueError, match="kv: the order must be a scalar"):
        ws.kv(np.array([1.0, 2.0]), 2.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        ws.polygamma(-1, 2.0)
    with pytest.raises(ValueError, match=r"multigammaln: a must be greater than \(d - 1\)/2"):
        ws.multigammaln(np.array([0.7, 3.0]), 3)


def test_scipy_only_functions_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rs, "_sp", None)
    with pytest.raises(ImportError, match=r"pip install wengert\[scipy\]"):
        ws.kv(1.0, 2.0)
    assert ws.gammaln(4.0) == pytest.approx(np.log(6.0), rel=1e-15)  # NumPy code


def test_erfcinv_is_exact_for_tiny_arguments() -> None:
    y = np.array([1e-300, 1e-20, 1e-5, 0.3, 1.0, 1.7, 2.0 - 1e-9])
    np.testing.assert_allclose(ws.erfcinv(y), sp.erfcinv(y), rtol=1e-14)
    g = wengert.elementwise_grad(ws.erfcinv)(y[:-1])
    np.testing.assert_allclose(g, -np.sqrt(np.pi) / 2 * np.exp(sp.erfcinv(y[:-1]) ** 2),
                               rtol=1e-12)


def test_logsumexp_return_sign_is_differentiable() -> None:
    a = RNG.normal(size=4)
    b = np.array([1.0, -2.0, 0.5, 0.25])
    g = wengert.grad(lambda v: ws.logsumexp(v, b=b, return_sign=True)[0])(a)
    s = np.sum(b * np.exp(a))
    np.testing.assert_allclose(g, b * np.exp(a) / s, rtol=1e-12)
    _, sign = ws.logsumexp(a, b=b, return_sign=True)
    assert sign == np.sign(s)
