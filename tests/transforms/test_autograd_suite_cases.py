"""Cases from HIPS autograd's own test suite that wengert once failed (found by running
that suite against wengert through a name-translating shim)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
import wengert.special as special
from wengert.numeric import check_grads
from wengert.transforms.autograd_api import tensor_jacobian_product


def test_predicates_on_traced_values_give_plain_booleans():
    def f(x):
        same = wnp.allclose(x, x) and wnp.array_equal(x, x) and wnp.isrealobj(x)
        return wnp.sum(x) if same and not wnp.iscomplexobj(x) else 0.0
    np.testing.assert_array_equal(wengert.grad(f)(np.ones(3)), np.ones(3))


def test_check_grads_of_boolean_valued_functions():
    check_grads(wnp.all, modes=["fwd", "rev"])(np.ones(2))
    check_grads(lambda x: x > 0.5, modes=["fwd", "rev"])(np.array([0.2, 0.9]))


def test_tensor_jacobian_product_contracts_leading_axes():
    x, v = np.random.default_rng(0).normal(size=(5, 4, 3)), np.ones((5, 4))
    got = tensor_jacobian_product(wnp.sin)(x, v)
    want = np.tensordot(v, wengert.jacobian(wnp.sin)(x), 2)
    np.testing.assert_allclose(got, want)
    full = np.ones((5, 4, 3))  # the output's shape: a plain VJP
    np.testing.assert_allclose(tensor_jacobian_product(wnp.sin)(x, full), np.cos(x))


def test_std_of_constant_data_has_zero_gradient():
    assert wengert.grad(wnp.std)(3.5) == 0.0
    np.testing.assert_array_equal(wengert.grad(wnp.std)(np.full(3, 2.0)), np.zeros(3))
    np.testing.assert_allclose(wengert.grad(wnp.std)(np.array([1.0, 2.0])), [-0.5, 0.5])


def test_real_if_close_on_a_python_complex():
    assert wengert.jvp(wnp.real_if_close, (0.4 + 0.1j,), (1 + 0j,)) == (0.4 + 0.1j, 1 + 0j)


def test_logsumexp_of_a_scalar_along_axis_0():
    assert special.logsumexp(1.1, axis=0) == pytest.approx(1.1)
    assert wengert.grad(lambda x: special.logsumexp(x, axis=0))(1.1) == pytest.approx(1.0)


def test_make_ggnvp_is_jt_h_j():
    from wengert.transforms.autograd_api import make_ggnvp
    rng = np.random.default_rng(0)
    w, x, v = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4)

    def f(x):
        return wnp.tanh(w @ x)
    jac = wengert.jacobian(f)(x)
    np.testing.assert_allclose(make_ggnvp(f)(x)(v), jac.T @ jac @ v)
    hess = np.diag(np.exp(np.tanh(w @ x)))
    np.testing.assert_allclose(make_ggnvp(f, lambda y: wnp.sum(wnp.exp(y)))(x)(v),
                               jac.T @ hess @ jac @ v)


def test_checkpoint_gives_the_same_derivatives_to_second_order():
    from wengert.transforms.autograd_api import checkpoint
    x = np.array([0.3, -1.2, 2.0])
    inner = checkpoint(lambda x: wnp.sin(x) ** 2)
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(inner(x)))(x), np.sin(2 * x))
    second = wengert.grad(wengert.grad(lambda s: wnp.sum(inner(s * x))))(0.7)
    assert second == pytest.approx(np.sum(2 * x * x * np.cos(2 * 0.7 * x)))


def test_grad_named_and_multigrad_dict():
    from wengert.transforms.autograd_api import grad_named, multigrad_dict

    def fun(a, b, c=2.0):
        return a * b ** 2 + c
    assert grad_named(fun, "b")(1.5, 2.0) == pytest.approx(6.0)
    assert multigrad_dict(fun)(1.5, 2.0) == {"a": 4.0, "b": 6.0, "c": 1.0}
    with pytest.raises(ValueError, match="no positional argument 'd'"):
        grad_named(fun, "d")


def test_r_and_c_with_traced_values():
    x = np.array([1.0, 2.0])
    check_grads(lambda x: wnp.r_[x, 2 * x, 3.0, 0:2], (x,), order=2)
    check_grads(lambda x: wnp.c_[x, 2 * x, x ** 2], (x,), order=2)
    np.testing.assert_array_equal(wnp.r_[1:3, [5, 6]], [1, 2, 5, 6])  # plain: NumPy's own
    np.testing.assert_array_equal(wnp.r_["0,2", [1, 2], [3, 4]], [[1, 2], [3, 4]])


def test_sign_of_complex_values_is_differentiable():
    check_grads(wnp.sign, (np.array([0.3 + 0.4j, -1.0 + 0.2j]),), order=2)
    np.testing.assert_array_equal(
        wengert.grad(lambda x: wnp.sum(wnp.sign(x) * x))(np.array([1.0, -2.0])), [1.0, -1.0])


def test_missing_rules_are_both_type_and_not_implemented_errors():
    p = wengert.primitive(lambda x: x * 2.0)
    with pytest.raises(NotImplementedError):
        wengert.grad(p)(1.0)
    with pytest.raises(TypeError):
        wengert.jvp(p, (1.0,), (1.0,))
