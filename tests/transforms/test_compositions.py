"""The new transforms composed with each other: jit, vmap and checkpoint, both ways, against
loops of the eager transforms and against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

RNG = np.random.default_rng(7)
A = RNG.standard_normal((6, 6)) / 3
X = RNG.standard_normal((5, 6))
Y = RNG.standard_normal((5, 2))
W = RNG.standard_normal((6, 2))


def f(x):
    return wnp.sum(wnp.tanh(A @ x) ** 2)


def loss(w, x, y):
    return wnp.sum((wnp.tanh(x @ w) - y) ** 2)


def rowwise(fn, *args):
    return np.stack([fn(*(a[i] for a in args)) for i in range(len(args[0]))])


def test_jit_of_hessian_equals_hessian_and_finite_differences():
    x = X[0]
    h = wengert.jit(wengert.hessian(f))
    np.testing.assert_allclose(h(x), wengert.hessian(f)(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h(X[1]), wengert.hessian(f)(X[1]), rtol=1e-12, atol=1e-14)
    check_grads(wengert.grad(f), (x,), order=1, modes=("fwd",))
    assert h.cache_info().traces == 1


@pytest.mark.parametrize("outer", ["jit_of_vmap", "vmap_of_jit"])
def test_jit_and_vmap_compose_both_ways(outer):
    g = lambda x: wnp.sin(x) * 2 + wnp.sum(x)
    fn = wengert.jit(wengert.vmap(g)) if outer == "jit_of_vmap" else wengert.vmap(wengert.jit(g))
    np.testing.assert_allclose(fn(X), rowwise(g, X), rtol=1e-13)


def test_per_example_gradients_under_jit():
    per_example = wengert.vmap(wengert.grad(loss), in_axes=(None, 0, 0))
    expected = rowwise(lambda x, y: wengert.grad(loss)(W, x, y), X, Y)
    np.testing.assert_allclose(per_example(W, X, Y), expected, rtol=1e-12)
    np.testing.assert_allclose(wengert.jit(per_example)(W, X, Y), expected, rtol=1e-12)


def test_checkpoint_under_vmap_and_jit():
    h = wengert.checkpoint(lambda x: wnp.sum(wnp.tanh(x) ** 3))
    g = wengert.grad(h)
    expected = rowwise(g, X)
    np.testing.assert_allclose(wengert.vmap(g)(X), expected, rtol=1e-13)
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(wengert.vmap(h)(x)))(X),
                               expected, rtol=1e-13)
    np.testing.assert_allclose(wengert.jit(g)(X[0]), expected[0], rtol=1e-13)


def test_grad_of_jit_of_vmap_against_finite_differences():
    fn = wengert.jit(wengert.vmap(lambda x: wnp.sum(wnp.tanh(A @ x) ** 2)))
    check_grads(lambda x: wnp.sum(fn(x)), (X,), order=2, modes=("fwd", "rev"))


def test_tensors_through_vmap():
    t = wengert.tensor(X, requires_grad=True)
    out = wengert.vmap(lambda r: wnp.sum(r ** 2))(t)
    wnp.sum(out).backward()
    np.testing.assert_allclose(np.asarray(t.grad), 2 * X, rtol=1e-14)
