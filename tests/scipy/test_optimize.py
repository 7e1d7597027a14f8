"""``wengert.scipy.optimize.minimize``: pytrees, jac/hessp/hess from wengert, a trained model."""

from __future__ import annotations

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert.scipy.optimize import minimize


def rosen(p):  # type: ignore[no-untyped-def]
    x = p["x"]
    return wnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2) + (p["s"] - 2.0) ** 2


X0 = {"x": np.array([-1.2, 1.0, 0.5]), "s": 0.0}


@pytest.mark.parametrize("method", ["BFGS", "L-BFGS-B", "CG", "Newton-CG", "trust-ncg",
                                    "trust-krylov", "trust-exact", "SLSQP", "TNC"])
def test_gradient_methods_find_the_minimum_of_a_pytree(method: str) -> None:
    options = {"maxfun": 10_000} if method == "TNC" else {"maxiter": 2000}
    res = minimize(rosen, X0, method=method, tol=1e-12, options=options)
    assert set(res.x) == {"x", "s"} and res.x["x"].shape == (3,)
    np.testing.assert_allclose(res.x["x"], np.ones(3), atol=1e-4)
    np.testing.assert_allclose(res.x["s"], 2.0, atol=1e-4)
    assert res.jac["x"].shape == (3,)


@pytest.mark.parametrize("method", ["Newton-CG", "dogleg", "trust-constr"])
def test_hessian_products_are_used_and_exact(method: str) -> None:
    q = np.array([[3.0, 1.0], [1.0, 2.0]])

    def quad(x):  # type: ignore[no-untyped-def]
        return 0.5 * x @ q @ x - x @ np.array([1.0, -1.0])

    res = minimize(quad, np.zeros(2), method=method)
    np.testing.assert_allclose(res.x, np.linalg.solve(q, [1.0, -1.0]), atol=1e-7)
    assert res.nhev >= 1


def test_derivative_free_method_and_args() -> None:
    res = minimize(lambda x, c: wnp.sum((x - c) ** 2), np.zeros(2), args=(np.array([1., 2.]),),
                   method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-12})
    np.testing.assert_allclose(res.x, [1.0, 2.0], atol=1e-6)


def test_constraints_get_their_jacobian() -> None:
    cons = {"type": "eq", "fun": lambda p: wnp.sum(p["x"]) - 1.0}
    res = minimize(lambda p: wnp.sum(p["x"] ** 2), {"x": np.array([1.0, 0.0, 0.0])},
                   constraints=cons)
    np.testing.assert_allclose(res.x["x"], np.full(3, 1 / 3), atol=1e-8)


def test_lbfgsb_trains_a_small_model() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(64, 1))
    y = np.sin(2 * x)
    params = {"w1": rng.normal(size=(1, 16)) * 0.5, "b1": np.zeros(16),
              "w2": rng.normal(size=(16, 1)) * 0.5, "b2": np.zeros(1)}

    def loss(p):  # type: ignore[no-untyped-def]
        h = wnp.tanh(x @ p["w1"] + p["b1"])
        return wnp.mean((h @ p["w2"] + p["b2"] - y) ** 2)

    before = float(loss(params))
    res = minimize(loss, params, method="L-BFGS-B", options={"maxiter": 500})
    assert {k: v.shape for k, v in res.x.items()} == {k: v.shape for k, v in params.items()}
    assert float(loss(res.x)) < 1e-3 < before
    assert res.success and max(float(np.abs(g).max()) for g in res.jac.values()) < 1e-4


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="computes jac itself"):
        minimize(rosen, X0, jac=lambda p: p)
    with pytest.raises(TypeError, match="scalar"):
        minimize(lambda p: p["x"], X0, method="BFGS")
    with pytest.raises(TypeError, match="dtype"):
        minimize(rosen, {"x": np.array(["a"]), "s": 0.0})
    with pytest.raises(TypeError, match="callable"):
        minimize(None, X0)  # type: ignore[arg-type]
