"""Derivatives at the points where the textbook formula divides by zero: prod and cumprod
with zero entries, x**0 at x = 0, the 2-norm at the origin, det of a singular matrix,
sinc at 0."""

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
def test_cumprod_is_exact_at_zeros_to_second_order(x, axis):
    check_grads(lambda x: wnp.cumprod(x, axis=axis), (x,), order=2, modes=("fwd", "rev"))


def _cumsum_of_cumprod_hessian(x):
    """Σₖ ∏_{j≤k} xⱼ is multilinear: ∂²/∂xᵢ∂xⱼ = Σ_{k ≥ max(i,j)} ∏_{l≤k, l∉{i,j}} xₗ."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                h[i, j] = sum(np.prod([x[m] for m in range(k + 1) if m not in (i, j)])
                              for k in range(max(i, j), n))
    return h


@pytest.mark.parametrize("x", [[1.5, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, 3.0, 1.5],
                               [2.0, 0.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
def test_cumprod_hessian_at_zeros_matches_the_polynomial(x):
    x = np.array(x)
    expected = _cumsum_of_cumprod_hessian(x)

    def f(x):
        return wnp.sum(wnp.cumprod(x))
    for hess in (wengert.hessian(f), wengert.jacfwd(wengert.jacfwd(f)),
                 wengert.jacrev(wengert.jacrev(f))):
        np.testing.assert_allclose(hess(x), expected, atol=1e-12)


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


SINGULAR = [
    np.array([[1.0, 2.0], [2.0, 4.0]]),
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [5.0, 7.0, 9.0]]),  # det ~ 1e-15 in floats
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
    np.zeros((3, 3)),
    np.stack([np.eye(3), np.ones((3, 3))]),  # a stack with one singular matrix
]


def _cofactors(a):
    n = a.shape[-1]
    out = np.zeros_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=-2), j, axis=-1)
            out[..., i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return out


@pytest.mark.parametrize("a", SINGULAR)
def test_det_gradient_of_a_singular_matrix_is_its_cofactor_matrix(a):
    np.testing.assert_allclose(wengert.grad(lambda a: wnp.sum(wnp.linalg.det(a)))(a),
                               _cofactors(a), atol=1e-12)
    np.testing.assert_allclose(wengert.jacfwd(lambda a: wnp.sum(wnp.linalg.det(a)))(a),
                               _cofactors(a), atol=1e-12)
    # det is a polynomial, so finite differences are accurate at singular points too
    check_grads(wnp.linalg.det, (a,), order=2, modes=("fwd", "rev"))


def test_det_hessian_at_a_rank_deficient_matrix():
    # d²det/dAᵢⱼdAₖₘ of a 3x3 matrix (i ≠ k, j ≠ m) is the remaining entry a[r, c]
    # times the sign of the permutation (i, k, r) -> (j, m, c).
    a = SINGULAR[1]
    expected = np.zeros((3, 3, 3, 3))
    for i in range(3):
        for j in range(3):
            for k in range(3):
                for m in range(3):
                    if i != k and j != m:
                        r, c = 3 - i - k, 3 - j - m
                        sign = np.linalg.det(np.eye(3)[[i, k, r]][:, [j, m, c]])
                        expected[i, j, k, m] = sign * a[r, c]
    for hess in (wengert.hessian, lambda f: wengert.jacfwd(wengert.jacfwd(f)),
                 lambda f: wengert.jacrev(wengert.jacrev(f))):
        np.testing.assert_allclose(hess(wnp.linalg.det)(a), expected, atol=1e-12)


def test_sinc_derivatives_at_zero():
    # sinc(x) = 1 - (πx)²/6 + (πx)⁴/120 - ...: the first derivative is 0 at 0, the
    # second -π²/3, the fourth π⁴/5.
    d1 = wengert.grad(wnp.sinc)
    d2 = wengert.grad(d1)
    d4 = wengert.grad(wengert.grad(d2))
    assert d1(0.0) == 0.0
    np.testing.assert_allclose(d2(0.0), -np.pi ** 2 / 3, rtol=1e-14)
    np.testing.assert_allclose(d4(0.0), np.pi ** 4 / 5, rtol=1e-12)
    np.testing.assert_allclose(wengert.jacfwd(wengert.jacfwd(wnp.sinc))(0.0), -np.pi ** 2 / 3)
    # continuous across the switch to the series at |x| = 0.01
    for x in (0.0099999, 0.0100001, -0.0100001):
        exact = (np.pi * x * np.cos(np.pi * x) - np.sin(np.pi * x)) / (np.pi * x * x)
        np.testing.assert_allclose(d1(x), exact, rtol=1e-9)
