"""Behaviour checked against JAX's (a differential test found these cases)."""

from __future__ import annotations

import collections
from functools import partial

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp

X = np.array([0.3, 1.7, 2.2])


def test_casts_to_integers_or_booleans_have_no_derivative_in_either_mode():
    def f(x):
        return wnp.sum((2 * x).astype(np.int64) * 1.0) + wnp.sum(wnp.asarray(x, dtype=int))
    np.testing.assert_array_equal(wengert.grad(f)(X), np.zeros(3))
    np.testing.assert_array_equal(wengert.jacfwd(f)(X), np.zeros(3))
    # a boolean mask times x: the derivative is the mask
    np.testing.assert_array_equal(wengert.grad(lambda x: wnp.sum(x.astype(bool) * x))(X),
                                  np.ones(3))
    hess = wengert.hessian(lambda x: wnp.sum(x.astype(int) * x ** 2))(X)
    np.testing.assert_array_equal(np.diag(hess), 2 * X.astype(int))


def test_custom_rules_refuse_a_closure_over_their_own_traced_argument():
    def outer(y):
        @wengert.custom_vjp
        def f(x):
            return x * y
        f.defvjp(lambda x: (x * y, None), lambda r, g: (g * y,))
        return f(y)
    with pytest.raises(TypeError, match="closes over"):
        wengert.grad(outer)(3.0)


def test_custom_jvp_nondiff_argnums_and_keyword_arguments():
    @partial(wengert.custom_jvp, nondiff_argnums=(0,))
    def apply(fn, x):
        return fn(x)

    @apply.defjvp
    def apply_jvp(fn, primals, tangents):
        (x,), (t,) = primals, tangents
        return apply(fn, x), 3.0 * t
    assert wengert.grad(lambda x: apply(wnp.sin, x))(1.0) == 3.0

    @wengert.custom_jvp
    def scaled(x, y=2.0):
        return x * y

    @scaled.defjvp
    def scaled_jvp(primals, tangents):  # defaults and keywords arrive by position
        (x, y), (tx, ty) = primals, tangents
        return scaled(x, y), tx * y + ty * x
    assert wengert.grad(lambda x: scaled(x))(1.0) == 2.0
    assert wengert.grad(lambda x: scaled(x, y=3.0))(1.0) == 3.0


def test_custom_vjp_nondiff_argnums():
    @partial(wengert.custom_vjp, nondiff_argnums=(1,))
    def scale(x, k):
        return x * k
    scale.defvjp(lambda x, k: (x * k, None), lambda k, res, g: (10 * k * g,))
    assert wengert.grad(lambda x: scale(x, 2.0))(1.0) == 20.0
    with pytest.raises(ValueError, match="nondiff_argnums"):
        wengert.custom_vjp(lambda x: x, nondiff_argnums=(-1,))


def test_ordered_and_default_dicts_are_pytrees():
    g = wengert.grad(lambda d: d["b"] * d["a"] ** 2)(collections.OrderedDict(b=2.0, a=3.0))
    assert isinstance(g, collections.OrderedDict) and list(g) == ["b", "a"]
    assert (g["b"], g["a"]) == (9.0, 12.0)
    d = collections.defaultdict(float, {"x": 1.0, "y": 2.0})
    g = wengert.grad(lambda d: d["x"] * d["y"])(d)
    assert isinstance(g, collections.defaultdict) and g.default_factory is float
    assert (g["x"], g["y"]) == (2.0, 1.0)


def test_duplicate_argnums_are_refused():
    with pytest.raises(ValueError, match="twice"):
        wengert.grad(lambda x, y: x * y, argnums=(0, 0))(2.0, 3.0)
    with pytest.raises(ValueError, match="twice"):
        wengert.jacrev(lambda x, y: x * y, argnums=(1, -1))(2.0, 3.0)


def test_jacfwd_of_an_empty_input_keeps_aux_and_dtype():
    x = np.zeros(0, dtype=np.float32)
    jac, aux = wengert.jacfwd(lambda x: (wnp.sum(x) + 1.0, {"a": 1.0}), has_aux=True)(x)
    assert aux == {"a": 1.0}
    assert jac.shape == (0,) and jac.dtype == np.float32
    with pytest.raises(TypeError, match="has_aux"):
        wengert.jacfwd(lambda x: wnp.sum(x), has_aux=True)(x)


def test_hessian_with_aux():
    hess, aux = wengert.hessian(lambda x: (wnp.sum(x ** 3), "aux"), has_aux=True)(X)
    np.testing.assert_allclose(hess, np.diag(6 * X))
    assert aux == "aux"


def test_linearize_gives_the_jvp_as_a_function():
    x0, y0 = 1.0, np.array([1.0, 2.0])
    out, f_jvp = wengert.linearize(lambda x, y: wnp.sin(x) * y, x0, y0)
    np.testing.assert_allclose(out, np.sin(x0) * y0)
    np.testing.assert_allclose(f_jvp(1.0, np.zeros(2)), np.cos(x0) * y0)
    np.testing.assert_allclose(f_jvp(0.0, np.array([1.0, 0.0])), [np.sin(x0), 0.0])
    with pytest.raises(TypeError, match="one per primal"):
        f_jvp(1.0)


def test_custom_jvp_defjvps_sums_one_rule_per_argument():
    @wengert.custom_jvp
    def f(x, y):
        return x * y
    f.defjvps(lambda t, ans, x, y: t * y, lambda t, ans, x, y: 10 * t * x)
    assert wengert.grad(f, argnums=(0, 1))(2.0, 3.0) == (3.0, 20.0)
    assert wengert.jvp(f, (2.0, 3.0), (1.0, 1.0))[1] == 23.0


def test_review_fixes_for_transforms():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))
    b = rng.normal(size=(4, 2)) + 1j * rng.normal(size=(4, 2))
    # a real matrix times a complex one: the real operand's cotangent is real
    from wengert.numeric import check_grads
    check_grads(lambda c: wnp.real(wnp.sum(wnp.abs(c) @ b)), (c,), order=1)
    check_grads(lambda c: wnp.real(wnp.sum(b.T @ wnp.abs(c).T)), (c,), order=1)
    # keyword-only parameters keep their defaults in custom rules
    @wengert.custom_jvp
    def h(x, *, s=2.0):
        return x * s
    h.defjvp(lambda p, t: (h(p[0]), 2.0 * t[0]))
    assert wengert.grad(h)(1.0) == 2.0
    with pytest.raises(TypeError, match="keyword-only"):
        wengert.grad(lambda x: h(x, s=3.0))(1.0)
    # holomorphic jacfwd needs complex outputs as well
    with pytest.raises(TypeError, match="every output must be complex"):
        wengert.jacfwd(wnp.abs, holomorphic=True)(np.array([1.0 + 2.0j]))
    # ndarray.compress keeps NumPy's argument order
    out, tangent = wengert.jvp(lambda v: v.compress([True, False, True]),
                               (np.array([5.0, 1.0, 2.0]),), (np.ones(3),))
    np.testing.assert_array_equal(out, [5.0, 2.0])
    # a weighted histogram with nothing in range counts in floats
    g = wengert.grad(lambda w: wnp.sum(wnp.histogram(np.array([5.0, 6.0]), bins=[0, 1, 2],
                                                     weights=w)[0]))(np.ones(2))
    np.testing.assert_array_equal(g, [0.0, 0.0])
