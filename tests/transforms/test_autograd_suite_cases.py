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
