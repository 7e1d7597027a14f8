"""wengert.scipy.stats and .special under vmap, where the spec tables do not reach: each
example takes other branches (sides of t's centre, off the support, invalid parameters,
singular covariances of different ranks), against a loop over the examples, for vmap,
vmap of grad, vmap of jvp and vmap of jacfwd/jacrev."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
import wengert.scipy.special as sp
import wengert.scipy.stats as ws

pytest.importorskip("scipy")


def _finite_sum(f: Callable[..., Any]) -> Callable[..., Any]:
    def total(*args: Any) -> Any:
        out = f(*args)
        return wnp.sum(wnp.where(wnp.isfinite(out), out, 0.0))
    return total


def _first_tangent(f: Callable[..., Any]) -> Callable[..., Any]:
    def tangent(x: Any, *rest: Any) -> Any:
        return wengert.jvp(lambda y: f(y, *rest), (x,), (wnp.ones_like(x),))[1]
    return tangent


MODES: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "vmap": lambda f: f,
    "grad": lambda f: wengert.grad(_finite_sum(f)),
    "jvp": _first_tangent,
    "jacfwd": wengert.jacfwd,
    "jacrev": wengert.jacrev,
}


def _check(f: Callable[..., Any], *batched: np.ndarray, modes: tuple = tuple(MODES)) -> None:
    for mode in modes:
        g = MODES[mode](f)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.filterwarnings("error", message="vmap: primitive")
            got = wengert.vmap(g)(*batched)
            want = np.stack([np.asarray(g(*ex)) for ex in zip(*batched, strict=True)])
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True,
                                   err_msg=mode)


# Points on both sides of 0, at 0, near 1, in the tails and off the supports.
X = np.array([[-3.0, -0.5, 0.0, 0.4, 2.5], [0.0, 0.3, 0.7, 1.2, 5.0],
              [-20.0, -1.0, 0.5, 0.95, 30.0]])
SCALES = np.array([0.7, -1.0, 2.0])  # an invalid scale: nan in that example only
CONTINUOUS = {"norm": (), "t": (3.0,), "gamma": (2.0,), "chi2": (3.0,), "beta": (2.0, 3.0),
              "expon": (), "laplace": (), "logistic": (), "cauchy": (), "uniform": ()}
METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_branches_per_example(name: str) -> None:
    shapes = CONTINUOUS[name]
    for m in METHODS:
        fn = getattr(getattr(ws, name), m)
        _check(lambda x, s, fn=fn: fn(x, *shapes, scale=s), X, SCALES, modes=("vmap", "grad"))
        _check(lambda x, fn=fn: fn(x, *shapes), X, modes=("jvp", "jacfwd"))
        if shapes:  # the first shape parameter per example, one of them invalid
            _check(lambda a, x, fn=fn: fn(x, a, *shapes[1:]), np.array([0.8, -1.0, 4.0]), X,
                   modes=("vmap", "grad"))


@pytest.mark.parametrize("name", ["poisson", "binom", "bernoulli"])
def test_discrete_with_a_batched_count(name: str) -> None:
    """vmap over k (or loc) is allowed: only a derivative in k is refused."""
    k = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 1.5], [-1.0, 2.0, 7.0]])
    params = {"poisson": lambda p: (3.0 * p,), "binom": lambda p: (5, p),
              "bernoulli": lambda p: (p,)}[name]
    for m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
        fn = getattr(getattr(ws, name), m)
        _check(lambda p, kk, fn=fn: fn(kk, *params(p)), np.array([0.2, 0.9, 0.01]), k,
               modes=("vmap", "grad"))
        _check(lambda kk, fn=fn: fn(kk, *params(0.3)), k, modes=("vmap",))
        _check(lambda loc, fn=fn: fn(k[0], *params(0.3), loc=loc), np.array([0.0, 1.0, -1.0]),
               modes=("vmap",))
    with pytest.raises(wengert.NotDifferentiableError, match="with respect to k"):
        wengert.vmap(wengert.grad(lambda kk: getattr(ws, name).logpmf(kk, *params(0.3))))(k[0])


def test_multivariate_normal_singular_per_example() -> None:
    rng = np.random.default_rng(3)
    # diagonal covariances singular in different entries; some points off the support
    var = np.array([[1.0, 0.0, 2.0], [1.0, 3.0, 0.0], [0.0, 1.0, 1.0]])
    x = np.array([[[0.1, 0.0, 0.3], [0.1, 0.5, 0.3]], [[0.1, 0.2, 0.0], [0.1, 0.2, 0.0]],
                  [[0.0, 1.0, 1.0], [1.0, 1.0, 1.0]]])
    mvn = ws.multivariate_normal
    _check(lambda x, v: mvn.logpdf(x, np.zeros(3), v, allow_singular=True), x, var,
           modes=("vmap", "grad", "jvp"))
    _check(lambda v: mvn.entropy(np.zeros(3), v), var, modes=("vmap", "grad"))
    # full covariances of rank 2, 2 and 3 (one path, eigh, for the whole batch)
    b = rng.normal(size=(3, 3, 2))
    cov = b @ b.transpose(0, 2, 1)
    cov[2] = np.diag([1.0, 2.0, 3.0]) + 0.1
    pts = np.einsum("bij,bkj->bik", rng.normal(size=(3, 4, 2)), b)
    pts[2] = rng.normal(size=(4, 3))
    pts[0, 1] += 1.0  # off the support
    _check(lambda x, c: mvn.logpdf(x, None, c, allow_singular=True), pts, cov, modes=("vmap",))
    _check(lambda c: mvn.entropy(None, c), cov, modes=("vmap",))
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        wengert.vmap(lambda c: mvn.logpdf(pts[0], None, c))(cov)


def test_dirichlet_per_example() -> None:
    rng = np.random.default_rng(4)
    alpha = np.abs(rng.normal(size=(3, 4))) + 0.5
    x = np.abs(rng.normal(size=(3, 4, 5))) + 0.1
    x /= x.sum(1, keepdims=True)
    _check(lambda x, a: ws.dirichlet.logpdf(x[:-1], a), x, alpha)  # K-1 components given
    _check(lambda x, a: ws.dirichlet.logpdf(x, a), x[:, :, 0], alpha)
    bad = x.copy()
    bad[1, 0, 0] += 0.1  # one example off the simplex
    with pytest.raises(ValueError, match="simplex"):
        wengert.vmap(ws.dirichlet.logpdf)(bad, alpha)


def test_special_values_per_example() -> None:
    y = np.array([[-2.5, -0.5, 0.5, 3.0], [1.0, 2.0, -1.5, 0.1], [-3.5, 4.0, 0.25, 7.0]])
    w = np.array([[0.1, 0.5, 0.9, 0.3], [0.01, 0.7, 0.2, 0.99], [0.4, 0.6, 0.05, 0.5]]) - 0.5
    _check(sp.gammasgn, y, modes=("vmap",))
    _check(lambda y: sp.gammasgn(y) * y, y, modes=("vmap", "grad"))
    _check(lambda a, b: sp.logsumexp(a, b=b, return_sign=True)[0], y, w)
    _check(lambda a, b: sp.logsumexp(a, b=b, return_sign=True)[1], y, w, modes=("vmap",))
    _check(lambda a: sp.logsumexp(a), np.array([[-np.inf, -np.inf], [1.0, 2.0]]),
           modes=("vmap", "grad"))
