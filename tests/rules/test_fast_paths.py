"""The NumPy shortcuts rules take on small plain arrays agree with their general path.

Unary rules use their derivative as NumPy code below 4,096 entries and the general
(in-place) path above; ``sum``'s rule fills a small array and broadcasts a large one;
``x * y``'s rules check shapes inline.  Both sides are checked against the analytic
derivative, in both modes, in float64 and float32.
"""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp

UNARY = {
    "sin": (wnp.sin, np.cos),
    "cos": (wnp.cos, lambda x: -np.sin(x)),
    "tan": (wnp.tan, lambda x: 1.0 / np.cos(x) ** 2),
    "tanh": (wnp.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "sinh": (wnp.sinh, np.cosh),
    "cosh": (wnp.cosh, np.sinh),
    "exp": (wnp.exp, np.exp),
    "log": (wnp.log, lambda x: 1.0 / x),
    "sqrt": (wnp.sqrt, lambda x: 0.5 / np.sqrt(x)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("size", [7, 5000])  # below and above the shortcut's limit
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_rules_agree_on_both_sides_of_the_shortcut(name, size, dtype):
    f, df = UNARY[name]
    x = np.random.default_rng(size).uniform(0.2, 1.2, size).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    g = wengert.grad(lambda x: wnp.sum(f(x) * 1.5))(x)
    assert g.dtype == dtype
    np.testing.assert_allclose(g, 1.5 * df(x.astype(np.float64)), rtol=tol)
    t = np.linspace(-1.0, 1.0, size).astype(dtype)
    _, tangent = wengert.jvp(f, (x,), (t,))
    assert tangent.dtype == dtype
    np.testing.assert_allclose(tangent, t * df(x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(4, 5), (80, 60)])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_sum_rule_small_and_large(shape, axis, keepdims, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(dtype)
    w = rng.normal(size=np.sum(x, axis=axis, keepdims=keepdims).shape)
    out, vjp_fn = wengert.vjp(lambda x: wnp.sum(x, axis=axis, keepdims=keepdims), x)
    (g,) = vjp_fn(w.astype(out.dtype) if np.ndim(out) else out.dtype.type(w))
    expected = np.broadcast_to(np.sum(np.zeros(shape), axis=axis, keepdims=True)
                               + np.reshape(w, np.sum(x, axis=axis, keepdims=True).shape),
                               shape)
    assert g.shape == shape and g.dtype == dtype
    np.testing.assert_allclose(g, expected, rtol=1e-6)
    g = wengert.grad(lambda x: wnp.sum(wnp.sum(x, axis=axis, keepdims=keepdims) ** 2).real)(x)
    s = np.sum(x, axis=axis, keepdims=True)
    np.testing.assert_allclose(g, np.broadcast_to(2 * s, shape), rtol=1e-5)


def test_multiply_rules_unbroadcast_only_when_needed():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    gx, gy = wengert.grad(lambda x, y: wnp.sum(x * y), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, np.broadcast_to(y, (3, 4)))
    np.testing.assert_allclose(gy, x.sum(axis=0))
    gx, gy = wengert.grad(lambda x, y: wnp.sum(x * y), argnums=(0, 1))(2.0, y)
    assert np.ndim(gx) == 0 and gx == pytest.approx(y.sum())
    # a real argument times a complex one: the real argument's cotangent is real
    z = np.array([1 + 2j, 3 - 1j])
    g = wengert.grad(lambda x: wnp.sum(x * z).real)(np.array([0.5, 1.5]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, z.real)
    g32 = wengert.grad(lambda x: wnp.sum(x * 3.0))(np.ones(3, np.float32))
    assert g32.dtype == np.float32
