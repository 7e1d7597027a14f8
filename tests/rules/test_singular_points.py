"""Derivatives at the points where the textbook formula divides by zero: prod and cumprod
with zero entries, x**0 at x = 0, the 2-norm at the origin."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

WITH_ZEROS = [
    np.array([2.0, 0.0, 3.0, 1.5]),            # one zero
    np.array([0.0, 0.0, 3.0, 1.5]),            # two
    np.array([0.0, 0.0, 0.0, 1.5]),            # three
    np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 0.5]]),
    np.array([1.3, 0.0, 2.0, 0.0, 0.7]),
]


@pytest.mark.parametrize("x", WITH_ZEROS)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_prod_is_exact_at_zeros_to_second_order(x, axis):
    # prod is a polynomial, so finite differences are accurate at its zeros too
    check_grads(lambda x: wnp.prod(x, axis=axis), (x,), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("x", WITH_ZEROS)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_cumprod_is_exact_at_zeros(x, axis):
    check_grads(lambda x: wnp.cumprod(x, axis=axis), (x,), order=1, modes=("fwd", "rev"))


def test_prod_gradient_with_one_zero_is_the_product_of_the_others():
    g = wengert.grad(wnp.prod)(np.array([2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 6.0, 0.0])
    g = wengert.grad(lambda x: wnp.sum(wnp.cumprod(x)))(np.array([1.3, 0.0, 2.0, 0.0, 0.7]))
    # d/dx1 of x0 + x0x1 + x0x1x2 + ... at x1 = 0: x0 + x0x2 = 1.3 + 2.6
    np.testing.assert_allclose(g, [1.0, 3.9, 0.0, 0.0, 0.0])


def test_power_zero_has_zero_derivative_at_zero():
    g = wengert.grad(lambda x: wnp.sum(x ** 0.0))(np.array([0.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0])
    gx, gy = wengert.grad(lambda x, y: wnp.sum(x ** y), argnums=(0, 1))(
        np.array([0.0, 2.0]), np.array([0.0, 3.0]))
    np.testing.assert_allclose(gx, [0.0, 12.0])
    np.testing.assert_allclose(gy, [0.0, 8.0 * np.log(2.0)])


def test_norm_at_the_origin_has_zero_gradient():
    np.testing.assert_array_equal(wengert.grad(wnp.linalg.norm)(np.zeros(3)), np.zeros(3))
    g = wengert.grad(lambda x: wnp.sum(wnp.linalg.norm(x, axis=1)))(
        np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_allclose(g, [[0.0, 0.0], [0.6, 0.8]])
    assert wengert.jvp(wnp.linalg.norm, (np.zeros(3),), (np.ones(3),))[1] == 0.0
