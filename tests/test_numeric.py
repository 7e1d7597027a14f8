"""Finite differences and gradient checking (``wengert.numeric``)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import numeric as nd

X0 = 0.5            # f = exp: every derivative is exp(X0)
D = np.exp(X0)


def err(method, h):
    return float(nd.derivative(np.exp, X0, method, h=h)) - D


@pytest.mark.parametrize("method,order", [("forward", 1), ("backward", 1), ("central", 2)])
def test_error_order_measured(method, order):
    hs = np.array([1e-1, 1e-2, 1e-3])
    errors = np.abs([err(method, h) for h in hs])
    slopes = np.diff(np.log10(errors)) / np.diff(np.log10(hs))
    np.testing.assert_allclose(slopes, order, atol=0.05)


def test_leading_error_terms():
    h = 1e-3
    # forward: (f(x+h) − f(x))/h = f' + h f''/2 + …;  backward: f' − h f''/2 + …
    assert err("forward", h) / h == pytest.approx(D / 2, rel=1e-2)
    assert err("backward", h) / h == pytest.approx(-D / 2, rel=1e-2)
    # central: f' + h² f'''/6 + …
    h = 1e-2
    assert err("central", h) / h ** 2 == pytest.approx(D / 6, rel=1e-2)


def test_default_steps():
    eps = np.finfo(np.float64).eps
    assert nd.default_step(1.0, "forward") == pytest.approx(np.sqrt(eps))
    assert nd.default_step(1.0, "backward") == pytest.approx(np.sqrt(eps))
    assert nd.default_step(1.0, "central") == pytest.approx(np.cbrt(eps))
    assert nd.default_step(0.01, "central") == pytest.approx(np.cbrt(eps))   # floor at |x| = 1
    assert nd.default_step(-200.0, "forward") == pytest.approx(200 * np.sqrt(eps))
    assert nd.default_step(1.0, "complex") <= 1e-20
    eps32 = np.finfo(np.float32).eps
    assert nd.default_step(np.float32(1.0), "forward") == pytest.approx(np.sqrt(eps32))
    assert nd.default_step(np.float32(1.0), "central") == pytest.approx(np.cbrt(eps32))


def test_default_steps_give_near_optimal_accuracy():
    assert abs(float(nd.derivative(np.exp, X0, "forward")) - D) < 3e-8
    assert abs(float(nd.derivative(np.exp, X0, "backward")) - D) < 3e-8
    assert abs(float(nd.derivative(np.exp, X0, "central")) - D) < 1e-10
    # a step far below the default is worse: round-off dominates
    assert abs(err("forward", 1e-13)) > 10 * abs(float(nd.derivative(np.exp, X0, "forward")) - D)


def test_complex_step_is_exact():
    def f(x):
        return np.exp(x) * np.sin(x) / (1 + x * x)
    x = 1.3
    exact = (np.exp(x) * (np.sin(x) + np.cos(x)) / (1 + x * x)
             - np.exp(x) * np.sin(x) * 2 * x / (1 + x * x) ** 2)
    for h in (None, 1e-20, 1e-100):
        got = float(nd.derivative(f, x, "complex", h=h))
        assert abs(got - exact) <= 2e-15 * abs(exact)


def test_gradient_and_jacobian_shapes_and_values():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(nd.gradient(lambda x: np.sum(x ** 3), x), 3 * x ** 2, rtol=1e-8)
    A = np.arange(6.0).reshape(2, 3)
    J = nd.jacobian(lambda x: A @ np.sin(x), x)
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, A * np.cos(x), rtol=1e-8)
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    J2 = nd.jacobian(lambda m: m * m, M, method="complex")
    assert J2.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(J2, np.einsum("ij,ik,jl->ijkl", 2 * M, np.eye(2), np.eye(2)))


def test_unknown_method():
    with pytest.raises(ValueError, match="forward.*backward.*central.*complex"):
        nd.derivative(np.cos, 1.0, method="sideways")


def test_numerical_jvp_on_pytrees():
    def f(p, s):
        return {"y": p["a"] * s, "z": np.sum(p["b"] ** 2)}
    p = {"a": 2.0, "b": np.array([1.0, 3.0])}
    t = nd.numerical_jvp(f, (p, 4.0), ({"a": 1.0, "b": np.array([1.0, 0.0])}, 0.5))
    assert t["y"] == pytest.approx(1.0 * 4.0 + 2.0 * 0.5)
    assert t["z"] == pytest.approx(2.0)


# -- check_grads ------------------------------------------------------------------------------
def test_check_grads_passes_on_correct_functions():
    x = np.array([0.3, -0.8, 1.1])
    nd.check_grads(lambda x: wnp.sum(wnp.sin(x) * x ** 2), (x,), order=2)
    nd.check_grads(lambda x, y: wnp.tanh(x) * y, (x, 2.5), order=2)
    nd.check_grads(lambda p: p["w"] @ p["v"], ({"w": np.eye(3) + 0.1, "v": x},), order=2)


def _wrong_in_entry_1():
    @wengert.custom_jvp
    def bad_sin(y):
        return wnp.sin(y)

    @bad_sin.defjvp
    def _(primals, tangents):
        (y,), (t,) = primals, tangents
        return bad_sin(y), t * wnp.cos(y) * np.array([1.0, 3.0, 1.0])   # entry 1 is wrong
    return bad_sin


def test_check_grads_reverse_names_argument_and_entry():
    bad_sin = _wrong_in_entry_1()
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.4, 0.6])
    with pytest.raises(nd.GradientCheckError, match=r"reverse mode.*argument 1.*entry \(1,\)"):
        nd.check_grads(lambda x, y: x * bad_sin(y), (x, y), order=1, modes=("rev",))
    with pytest.raises(AssertionError):       # GradientCheckError is an AssertionError
        nd.check_vjp(lambda x, y: x * bad_sin(y), (x, y))


def test_check_grads_forward_names_argument():
    bad_sin = _wrong_in_entry_1()
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.4, 0.6])
    with pytest.raises(nd.GradientCheckError, match=r"forward mode.*argument 1\b.*entry"):
        nd.check_grads(lambda x, y: x * bad_sin(y), (x, y), order=1, modes=("fwd",))


def test_check_grads_names_leaf_of_a_pytree_argument():
    bad_sin = _wrong_in_entry_1()
    p = {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([0.2, 0.4, 0.6])}
    with pytest.raises(nd.GradientCheckError, match=r"argument 0, leaf 1.*entry \(1,\)"):
        nd.check_grads(lambda p: p["a"] * bad_sin(p["b"]), (p,), order=1, modes=("rev",))


def test_check_grads_catches_a_wrong_custom_vjp():
    @wengert.custom_vjp
    def cube(x):
        return x ** 3
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (2 * x ** 2 * g,))   # should be 3x²
    with pytest.raises(nd.GradientCheckError, match=r"argument 0.*entry \(2,\)"):
        nd.check_grads(cube, (np.array([0.0, 0.0, 1.5]),), order=1, modes=("rev",))


def test_order_two_catches_a_rule_right_only_to_first_order():
    @wengert.custom_jvp
    def sin1(x):
        return wnp.sin(x)

    @sin1.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return sin1(x), t * wengert.stop_gradient(wnp.cos(x))  # second derivative lost
    x = np.array([0.4, 1.0])
    nd.check_grads(sin1, (x,), order=1)
    with pytest.raises(nd.GradientCheckError):
        nd.check_grads(sin1, (x,), order=2, modes=("fwd",))
    with pytest.raises(nd.GradientCheckError):
        nd.check_grads(sin1, (x,), order=2, modes=("rev",))


def test_check_grads_bad_mode():
    with pytest.raises(ValueError, match="modes"):
        nd.check_grads(wnp.sin, (1.0,), modes=("sideways",))


def test_check_grads_float32_uses_looser_tolerances():
    x = np.array([0.3, 0.7], dtype=np.float32)
    nd.check_grads(lambda x: wnp.sum(wnp.exp(x)), (x,), order=1, eps=1e-3)
