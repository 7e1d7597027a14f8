"""wengert.scipy.stats: values against scipy.stats over wide ranges (support edges,
tails, invalid parameters), SciPy's signatures, errors, and a few derivatives that the
spec tables cannot reach (at the edges of the support, at t's centre)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import wengert
import wengert.scipy.stats as ws

RNG = np.random.default_rng(11)
X = np.concatenate([RNG.uniform(-6, 8, 40), [-40.0, -1.0, 0.0, 0.5, 1.0, 2.0, 40.0]])
CONT = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")

CONTINUOUS = {
    "norm": (0.3, 1.7), "t": (2.5, 0.3, 1.7), "gamma": (1.7, -0.5, 1.3),
    "beta": (1.7, 2.5, -1.0, 4.5), "chi2": (3.3, -0.2, 1.1), "expon": (-0.5, 1.3),
    "laplace": (0.2, 0.8), "logistic": (0.2, 0.8), "cauchy": (0.2, 0.8), "uniform": (-1.0, 3.0),
}


def _same(got: object, want: object, rtol: float = 1e-12) -> None:
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_values(name: str) -> None:
    args = CONTINUOUS[name]
    for m in CONT:
        with np.errstate(all="ignore"):
            _same(getattr(getattr(ws, name), m)(X, *args), getattr(getattr(st, name), m)(X, *args))
    # keywords as in SciPy, and invalid scale: nan
    *shapes, loc, scale = args
    kw = dict(zip(getattr(ws, name).shapes, shapes, strict=True))
    _same(getattr(ws, name).logpdf(X, loc=loc, scale=scale, **kw),
          getattr(st, name).logpdf(X, loc=loc, scale=scale, **kw))
    with np.errstate(all="ignore"):
        assert np.isnan(getattr(ws, name).logpdf(1.0, *shapes, loc, -1.0))


def test_shape_parameter_ranges() -> None:
    with np.errstate(all="ignore"):
        for df in (0.5, 1.0, 7.0, 80.0):
            for m in CONT:
                _same(getattr(ws.t, m)(X, df), getattr(st.t, m)(X, df), rtol=1e-11)
        for a in (0.3, 1.0, 12.0):
            for m in CONT:
                _same(getattr(ws.gamma, m)(np.abs(X), a), getattr(st.gamma, m)(np.abs(X), a),
                      rtol=1e-11)
        u = np.concatenate([RNG.uniform(0, 1, 30), [0.0, 1.0, -0.1, 1.1]])
        for a, b in ((0.5, 0.5), (1.0, 3.0), (8.0, 2.0)):
            for m in CONT:
                _same(getattr(ws.beta, m)(u, a, b), getattr(st.beta, m)(u, a, b), rtol=1e-11)
        assert np.isnan(ws.t.logpdf(1.0, -1.0)) and np.isnan(ws.gamma.cdf(1.0, 0.0))


@pytest.mark.parametrize("name,args", [("poisson", (3.2,)), ("poisson", (0.0,)),
                                       ("bernoulli", (0.3,)), ("binom", (7, 0.35)),
                                       ("binom", (4, 1.0))])
def test_discrete_values(name: str, args: tuple) -> None:
    k = np.array([-1.0, 0, 1, 2, 2.5, 3, 4, 7, 12])
    for m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
        with np.errstate(all="ignore"):
            _same(getattr(getattr(ws, name), m)(k, *args), getattr(getattr(st, name), m)(k, *args),
                  rtol=1e-11)
    with np.errstate(all="ignore"):  # loc shifts k
        _same(getattr(ws, name).pmf(k, *args, loc=2), getattr(st, name).pmf(k, *args, loc=2))
        _same(getattr(ws, name).pmf(k, *args), getattr(st, name).pmf(k, *args))
    assert np.isnan(ws.binom.pmf(2, 5.5, 0.3)) and np.isnan(ws.bernoulli.pmf(0, 1.5))


def test_no_derivative_in_the_count() -> None:
    for f in (lambda k: ws.poisson.logpmf(k, 3.0), lambda k: ws.binom.cdf(k, 5, 0.3),
              lambda k: ws.bernoulli.pmf(0.0, 0.3, loc=k)):
        with pytest.raises(wengert.NotDifferentiableError, match="no derivative with respect "
                                                                 "to k or loc"):
            wengert.grad(f)(1.0)


def test_norm_quantiles_and_entropy() -> None:
    q = RNG.uniform(0, 1, 20)
    _same(ws.norm.ppf(q, 0.3, 2.0), st.norm.ppf(q, 0.3, 2.0))
    _same(ws.norm.isf(q, 0.3, 2.0), st.norm.isf(q, 0.3, 2.0))
    _same(ws.norm.entropy(0.0, 2.0), st.norm.entropy(0.0, 2.0))


def test_derivatives_at_and_beyond_the_support() -> None:
    # Outside the support the density is 0: derivative 0, never nan.
    for f in (lambda s: ws.gamma.logpdf(-1.0, 2.0, scale=s), lambda s: ws.beta.pdf(1.5, 2.0, s),
              lambda s: ws.expon.cdf(-1.0, scale=s), lambda s: ws.uniform.logpdf(5.0, 0.0, s),
              lambda s: ws.poisson.logpmf(-1.0, s), lambda s: ws.binom.cdf(9, 5, s / 4)):
        g = wengert.grad(f)(2.0)
        assert g == 0.0
    # t's distribution function at its centre, where either closed form is 0·∞
    for m in ("cdf", "sf", "logcdf", "logsf"):
        f = getattr(ws.t, m)
        d = wengert.grad(lambda v, f=f: f(v, 2.7))(0.0)
        sign = 1 if m in ("cdf",) else -1 if m == "sf" else (2 if m == "logcdf" else -2)
        assert d == pytest.approx(sign * st.t.pdf(0.0, 2.7), rel=1e-14)
        assert np.isfinite(wengert.hessian(lambda v, f=f: f(v, 2.7))(0.0))
    assert wengert.grad(lambda d: ws.t.cdf(0.0, d))(2.7) == 0.0


def test_gradients_in_parameters_match_finite_differences_of_scipy() -> None:
    h = 1e-6
    cases = [
        (lambda a: ws.gamma.cdf(2.0, a, scale=1.5), lambda a: st.gamma.cdf(2.0, a, scale=1.5)),
        (lambda d: ws.t.logsf(1.2, d), lambda d: st.t.logsf(1.2, d)),
        (lambda d: ws.chi2.sf(4.0, d), lambda d: st.chi2.sf(4.0, d)),
        (lambda a: ws.beta.logcdf(0.3, a, 2.0), lambda a: st.beta.logcdf(0.3, a, 2.0)),
        (lambda mu: ws.poisson.logcdf(3, mu), lambda mu: st.poisson.logcdf(3, mu)),
        (lambda p: ws.binom.logsf(2, 9, p), lambda p: st.binom.logsf(2, 9, p)),
    ]
    for f, ref in cases:
        want = (ref(1.7 + h) - ref(1.7 - h)) / (2 * h) if ref is not cases[-1][1] else \
            (ref(0.4 + h) - ref(0.4 - h)) / (2 * h)
        at = 0.4 if ref is cases[-1][1] else 1.7
        assert wengert.grad(f)(at) == pytest.approx(want, rel=1e-6)


def test_signature_errors_name_the_function_and_parameter() -> None:
    with pytest.raises(TypeError, match=r"stats\.t\.logpdf: missing the shape parameter\(s\) df"):
        ws.t.logpdf(1.0)
    with pytest.raises(TypeError, match=r"stats\.norm\.cdf: unknown parameter 'sigma'"):
        ws.norm.cdf(1.0, sigma=2.0)
    with pytest.raises(TypeError, match=r"stats\.gamma\.sf: loc given twice"):
        ws.gamma.sf(1.0, 2.0, 0.0, loc=1.0)
    with pytest.raises(TypeError, match=r"stats\.poisson\.pmf: takes at most 2"):
        ws.poisson.pmf(1, 2.0, 0.0, 1.0)


# -- multivariate ---------------------------------------------------------------------------
def _spd(k: int) -> np.ndarray:
    a = RNG.normal(size=(k, k))
    return a @ a.T + 0.5 * np.eye(k)


def test_multivariate_normal_values_and_shapes() -> None:
    mvn, ref = ws.multivariate_normal, st.multivariate_normal
    cov, mean = _spd(3), RNG.normal(size=3)
    for x in (RNG.normal(size=3), RNG.normal(size=(5, 3)), RNG.normal(size=(2, 4, 3)),
              RNG.normal(size=(1, 3))):
        for c in (cov, np.array([0.5, 1.0, 2.0]), 1.5):
            got, want = mvn.logpdf(x, mean, c), ref.logpdf(x, mean, c)
            assert np.shape(got) == np.shape(want)
            _same(got, want)
            _same(mvn.pdf(x, mean, c), ref.pdf(x, mean, c))
        _same(mvn.logpdf(x, mean, cov, allow_singular=True), ref.logpdf(x, mean, cov))
    _same(mvn.logpdf(np.array([0.3, 1.2]), None, 2.0), ref.logpdf([0.3, 1.2], None, 2.0))
    _same(mvn.logpdf(0.7), ref.logpdf(0.7))
    _same(mvn.entropy(mean, cov), ref.entropy(mean, cov))
    var = np.array([1.0, 2.0, 0.5])
    _same(mvn.entropy(mean, var), ref.entropy(mean, var))


def test_multivariate_normal_singular() -> None:
    mvn, ref = ws.multivariate_normal, st.multivariate_normal
    b = RNG.normal(size=(3, 2))
    cov, mean = b @ b.T, RNG.normal(size=3)
    on = mean + RNG.normal(size=(4, 2)) @ b.T
    off = on + np.array([1.0, -1.0, 0.5])
    _same(mvn.logpdf(on, mean, cov, allow_singular=True),
          ref.logpdf(on, mean, cov, allow_singular=True), rtol=1e-9)
    assert np.all(mvn.logpdf(off, mean, cov, allow_singular=True) == -np.inf)
    _same(mvn.entropy(mean, cov), ref.entropy(mean, cov), rtol=1e-9)
    diag = np.array([1.0, 0.0, 2.0])
    _same(mvn.logpdf(np.array([0.3, 0.0, 1.0]), np.zeros(3), diag, allow_singular=True),
          ref.logpdf([0.3, 0.0, 1.0], np.zeros(3), diag, allow_singular=True))
    assert mvn.logpdf(np.array([0.3, 0.1, 1.0]), np.zeros(3), diag, allow_singular=True) == -np.inf
    with pytest.raises(np.linalg.LinAlgError, match="allow_singular=True"):
        mvn.logpdf(on, mean, cov)
    with pytest.raises(np.linalg.LinAlgError, match="allow_singular=True"):
        mvn.logpdf(on, mean, diag)
    with pytest.raises(ValueError, match="cov of shape \\(3,\\) does not fit a mean of "
                                         "dimension 1"):
        mvn.logpdf(on, None, diag)  # SciPy: "cannot reshape array of size 3 into shape (1,1)"


def test_multivariate_normal_errors() -> None:
    mvn = ws.multivariate_normal
    with pytest.raises(ValueError, match="cov of shape \\(2, 2\\) does not fit a mean of "
                                         "dimension 3"):
        mvn.logpdf(np.zeros(3), np.zeros(3), np.eye(2))
    with pytest.raises(ValueError, match="does not have the dimension 3"):
        mvn.logpdf(np.zeros((4, 2)), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="positive semidefinite"):
        mvn.logpdf(np.zeros(2), None, np.array([[1.0, 0.0], [0.0, -1.0]]), allow_singular=True)


def test_multivariate_normal_gradients_match_the_closed_forms() -> None:
    cov, mean = _spd(3), RNG.normal(size=3)
    x = RNG.normal(size=3)
    inv = np.linalg.inv(cov)
    gx, gm, gc = wengert.grad(lambda x, m, c: ws.multivariate_normal.logpdf(x, m, c),
                              argnums=(0, 1, 2))(x, mean, cov)
    np.testing.assert_allclose(gx, -inv @ (x - mean), rtol=1e-10)
    np.testing.assert_allclose(gm, inv @ (x - mean), rtol=1e-10)
    # d/dΣ log N = (Σ⁻¹ d dᵀ Σ⁻¹ - Σ⁻¹)/2 as a symmetric matrix; the Cholesky path reads
    # the lower triangle, so the gradient is that matrix folded onto it.
    sym = 0.5 * (inv @ np.outer(x - mean, x - mean) @ inv - inv)
    np.testing.assert_allclose(np.tril(gc), np.tril(2 * sym - np.diag(np.diag(sym))),
                               rtol=1e-9, atol=1e-12)


def test_dirichlet() -> None:
    alpha = np.array([0.7, 2.0, 3.5])
    x = RNG.dirichlet(alpha, size=5).T
    _same(ws.dirichlet.logpdf(x, alpha), st.dirichlet.logpdf(x, alpha))
    _same(ws.dirichlet.pdf(x[:, 0], alpha), st.dirichlet.pdf(x[:, 0], alpha))
    _same(ws.dirichlet.logpdf(x[:2], alpha), st.dirichlet.logpdf(x[:2], alpha))
    _same(ws.dirichlet.mean(alpha), st.dirichlet.mean(alpha))
    _same(ws.dirichlet.var(alpha), st.dirichlet.var(alpha))
    _same(ws.dirichlet.entropy(alpha), st.dirichlet.entropy(alpha))
    with pytest.raises(ValueError, match="3 \\(or 2\\) components"):
        ws.dirichlet.logpdf(np.full(4, 0.25), alpha)
    with pytest.raises(ValueError, match="simplex"):
        ws.dirichlet.logpdf(np.array([0.5, 0.6, 0.1]), alpha)
    with pytest.raises(ValueError, match="must be positive"):
        ws.dirichlet.logpdf(x, -alpha)


def test_autograd_style_models_train() -> None:
    # a count model and a Gaussian fit, as written against autograd.scipy.stats
    y = np.array([0.0, 2.0, 1.0, 4.0, 3.0])
    lam = np.exp(wengert_argmax(lambda r: np.sum(ws.poisson.logpmf(y, np.exp(r))), 0.0))
    assert lam == pytest.approx(y.mean(), rel=1e-6)
    d = np.array([1.2, 0.3, 2.2, 1.9])
    mu = wengert_argmax(lambda m: np.sum(ws.norm.logpdf(d, m, 1.3)), 0.0)
    assert mu == pytest.approx(d.mean(), rel=1e-6)


def wengert_argmax(f: object, x0: float) -> float:
    """Newton's method with wengert's first and second derivatives."""
    g, h, x = wengert.grad(f), wengert.grad(wengert.grad(f)), x0
    for _ in range(30):
        x = x - g(x) / h(x)
    return float(x)
