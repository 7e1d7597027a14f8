"""``wengert.scipy.integrate.odeint``: analytic solutions, both modes, pytrees, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads
from wengert.scipy.integrate import odeint
from wengert.scipy.linalg import expm

TOL = dict(rtol=1e-11, atol=1e-11)
RNG = np.random.default_rng(7)
A = 0.5 * RNG.normal(size=(3, 3))
Y0 = RNG.normal(size=3)
T = np.array([0.1, 0.5, 0.8, 1.3])


def linear(y, t, a):  # type: ignore[no-untyped-def]
    return wnp.matmul(a, y)


def test_linear_ode_value_is_the_matrix_exponential() -> None:
    ys = odeint(linear, Y0, T, A, **TOL)
    exact = np.stack([sl.expm(A * (ti - T[0])) @ Y0 for ti in T])
    np.testing.assert_allclose(ys, exact, atol=1e-9)


def _loss_ode(y0, t, a):  # type: ignore[no-untyped-def]
    ys = odeint(linear, y0, t, a, **TOL)
    return wnp.sum(wnp.sin(ys) * np.arange(1.0, 13.0).reshape(4, 3))


def _loss_exact(y0, t, a):  # type: ignore[no-untyped-def]
    ys = wnp.stack([wnp.matmul(expm(a * (t[i] - t[0])), y0) for i in range(4)])
    return wnp.sum(wnp.sin(ys) * np.arange(1.0, 13.0).reshape(4, 3))


def test_gradients_match_the_analytic_solution_in_both_modes() -> None:
    want = wengert.grad(_loss_exact, argnums=(0, 1, 2))(Y0, T, A)
    rev = wengert.grad(_loss_ode, argnums=(0, 1, 2))(Y0, T, A)
    fwd = wengert.jacfwd(_loss_ode, argnums=(0, 1, 2))(Y0, T, A)
    for got in (rev, fwd):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-8)


def test_second_derivatives_match_the_analytic_solution() -> None:
    a, y0, t = A[:2, :2], Y0[:2], T[:3]

    def loss(solve):  # type: ignore[no-untyped-def]
        return lambda y0, t, a: wnp.sum(wnp.sin(solve(y0, t, a)) * np.arange(1.0, 7.0)
                                        .reshape(3, 2))

    ode = loss(lambda y0, t, a: odeint(linear, y0, t, a, **TOL))
    exact = loss(lambda y0, t, a: wnp.stack([wnp.matmul(expm(a * (t[i] - t[0])), y0)
                                              for i in range(3)]))
    # forward over reverse in a; reverse over reverse in t
    np.testing.assert_allclose(wengert.hessian(ode, argnums=2)(y0, t, a),
                               wengert.hessian(exact, argnums=2)(y0, t, a), rtol=1e-6, atol=1e-7)
    rr = [wengert.jacrev(wengert.grad(f, argnums=1), argnums=1)(y0, t, a) for f in (ode, exact)]
    np.testing.assert_allclose(rr[0], rr[1], rtol=1e-6, atol=1e-7)


def lotka_volterra(y, t, params):  # type: ignore[no-untyped-def]
    prey, pred = y[0], y[1]
    return wnp.stack([params["a"] * prey - params["b"] * prey * pred,
                      -params["c"] * pred + params["d"] * prey * pred])


def test_nonlinear_pytree_args_against_finite_differences() -> None:
    params = {"a": 1.1, "b": 0.4, "c": np.array(0.9), "d": 0.3}
    t = np.array([0.0, 1.5])
    # order 2: finite differences of derivatives of an adaptive solver, hence 1e-4
    check_grads(lambda y0, p: odeint(lotka_volterra, y0, t, p, **TOL),
                (np.array([2.0, 1.0]), params), order=2, atol=1e-4, rtol=1e-4)


def test_matrix_state_tfirst_and_static_args() -> None:
    def f(t, y, k, n):  # type: ignore[no-untyped-def]
        assert n == 2  # an int passes through untouched
        return -k * y + wnp.cos(t)

    y0 = RNG.normal(size=(2, 2))
    t = np.array([0.0, 0.3, 0.7])
    ys = odeint(f, y0, t, 1.5, 2, tfirst=True, **TOL)
    assert ys.shape == (3, 2, 2)
    exact = [y0 * np.exp(-1.5 * s) + (1.5 * np.cos(s) + np.sin(s) - 1.5 * np.exp(-1.5 * s))
             / (1.5 ** 2 + 1) for s in t]
    np.testing.assert_allclose(ys, np.stack(exact), atol=1e-9)
    check_grads(lambda y0, t, k: odeint(f, y0, t, k, 2, tfirst=True, **TOL), (y0, t, 1.5),
                order=1)


def test_one_time_point_is_the_initial_state() -> None:
    g = wengert.grad(lambda y0: wnp.sum(odeint(linear, y0, [0.5], A) ** 2))(Y0)
    np.testing.assert_allclose(g, 2 * Y0)


def test_errors_name_the_problem() -> None:
    k = 2.0
    with pytest.raises(TypeError, match="enclosing scope"):
        wengert.grad(lambda k: wnp.sum(odeint(lambda y, t: -k * y, Y0, T)))(k)
    with pytest.raises(ValueError, match="func returned shape"):
        odeint(lambda y, t: wnp.sum(y), Y0, T)
    with pytest.raises(TypeError, match="Dfun"):
        odeint(linear, Y0, T, A, Dfun=lambda y, t, a: a)
    with pytest.raises(ValueError, match="1-D sequence"):
        odeint(linear, Y0, 1.0, A)
    with pytest.raises(TypeError, match="callable"):
        odeint(None, Y0, T)  # type: ignore[arg-type]
