"""The functional transforms against analytic derivatives: pytrees, argnums,
has_aux, nesting to depth 3, perturbation confusion, jacobian's mode choice,
dtypes, constants and Python control flow."""

from __future__ import annotations

import itertools
from collections import namedtuple

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import (
    elementwise_grad,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)

close = np.testing.assert_allclose
Params = namedtuple("Params", "w b")


# -- one function, every first-order transform -------------------------------------------
# f(x1, x2) = x1² x2 + sin(x2):  ∂1 = 2 x1 x2,  ∂2 = x1² + cos x2
def f2(x1, x2):
    return x1 * x1 * x2 + wnp.sin(x2)


X1, X2 = 1.5, -0.4
D1, D2 = 2 * X1 * X2, X1 ** 2 + np.cos(X2)


def test_grad_each_argnum_and_tuple():
    assert grad(f2)(X1, X2) == pytest.approx(D1)
    assert grad(f2, argnums=1)(X1, X2) == pytest.approx(D2)
    assert grad(f2, argnums=-1)(X1, X2) == pytest.approx(D2)
    g = grad(f2, argnums=(0, 1))(X1, X2)
    assert isinstance(g, tuple) and len(g) == 2
    close(g, (D1, D2))
    g1 = grad(f2, argnums=(1,))(X1, X2)
    assert isinstance(g1, tuple) and len(g1) == 1
    close(g1[0], D2)
    g10 = grad(f2, argnums=(1, 0))(X1, X2)
    close(g10, (D2, D1))


def test_value_and_grad():
    v, g = value_and_grad(f2, argnums=(0, 1))(X1, X2)
    assert v == pytest.approx(X1 ** 2 * X2 + np.sin(X2))
    close(g, (D1, D2))


def test_vjp_and_jvp_agree_with_partials():
    out, vjp_fn = vjp(f2, X1, X2)
    assert out == pytest.approx(X1 ** 2 * X2 + np.sin(X2))
    close(vjp_fn(2.0), (2 * D1, 2 * D2))
    out2, t = jvp(f2, (X1, X2), (0.5, -1.0))
    assert out2 == pytest.approx(out)
    assert t == pytest.approx(0.5 * D1 - 1.0 * D2)


def test_jacobians_of_vector_function():
    # F(x) = (x0 x1, sin x0, x1³):  J = [[x1, x0], [cos x0, 0], [0, 3 x1²]]
    def F(x):
        return wnp.stack([x[0] * x[1], wnp.sin(x[0]), x[1] ** 3])
    x = np.array([0.3, -1.2])
    J = np.array([[x[1], x[0]], [np.cos(x[0]), 0.0], [0.0, 3 * x[1] ** 2]])
    for jac in (jacfwd, jacrev, jacobian):
        close(jac(F)(x), J, rtol=1e-12)
    close(jacobian(F, mode="forward")(x), J, rtol=1e-12)
    close(jacobian(F, mode="reverse")(x), J, rtol=1e-12)


def test_jacobian_shapes_are_out_shape_plus_in_shape():
    A = np.arange(6.0).reshape(2, 3)

    def F(X):  # (3, 4) -> (2, 4)
        return A @ X
    X = np.ones((3, 4))
    for jac in (jacfwd, jacrev):
        J = jac(F)(X)
        assert J.shape == (2, 4, 3, 4)
        # dF[i, k]/dX[j, l] = A[i, j] δ(k, l)
        close(J, np.einsum("ij,kl->ikjl", A, np.eye(4)))
    assert np.shape(jacfwd(wnp.sin)(0.5)) == ()
    assert np.shape(jacrev(wnp.sin)(0.5)) == ()


def test_hessian_and_hvp():
    # f(x) = x0² x1 + sin x1 ; H = [[2 x1, 2 x0], [2 x0, -sin x1]]
    def f(x):
        return x[0] ** 2 * x[1] + wnp.sin(x[1])
    x = np.array([0.8, 0.3])
    H = np.array([[2 * x[1], 2 * x[0]], [2 * x[0], -np.sin(x[1])]])
    close(hessian(f)(x), H, rtol=1e-12)
    v = np.array([1.0, -2.0])
    close(hvp(f, (x,), (v,))[0], H @ v, rtol=1e-12)


def test_hessian_with_two_argnums():
    # f(a, b) = a² b³ : blocks [[2b³, 6ab²], [6ab², 6a²b]]
    a, b = 1.5, 0.5
    H = hessian(lambda a, b: a * a * b ** 3, argnums=(0, 1))(a, b)
    close(H[0][0], 2 * b ** 3)
    close(H[0][1], 6 * a * b ** 2)
    close(H[1][0], 6 * a * b ** 2)
    close(H[1][1], 6 * a * a * b)


def test_elementwise_grad():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    close(elementwise_grad(wnp.tanh)(x), 1 - np.tanh(x) ** 2)
    close(elementwise_grad(lambda x: x ** 3)(x), 3 * x ** 2)
    a, b = elementwise_grad(lambda a, b: a * b, argnums=(0, 1))(x, 2 * x)
    close(a, 2 * x)
    close(b, x)


def test_kwargs_are_constants():
    g = grad(lambda x, scale=1.0: scale * x * x)(3.0, scale=5.0)
    assert g == pytest.approx(30.0)


def test_unused_input_gets_zeros_of_its_shape_and_dtype():
    g = grad(lambda x, y: wnp.sum(x), argnums=(0, 1))(np.ones(3), np.ones((2, 2), np.float32))
    close(g[0], np.ones(3))
    assert g[1].shape == (2, 2) and g[1].dtype == np.float32 and not g[1].any()
    assert grad(lambda x: 3.0)(1.0) == 0.0
    _, t = jvp(lambda x: 3.0, (1.0,), (1.0,))
    assert t == 0.0


# -- pytrees --------------------------------------------------------------------------------
def loss(p):
    """p = {"w": [w0, w1], "b": (b,), "s": Params(w=a, b=c)}."""
    w0, w1 = p["w"]
    return (wnp.sum(w0 * w1) + p["b"][0] ** 2 + p["s"].w * wnp.sum(p["s"].b))


def make_params():
    return {"w": [np.array([1.0, 2.0]), np.array([3.0, -1.0])], "b": (0.5,),
            "s": Params(w=2.0, b=np.array([1.0, 1.0, 4.0]))}


def expected_grad(p):
    w0, w1 = p["w"]
    return {"w": [w1, w0], "b": (2 * p["b"][0],),
            "s": Params(w=np.sum(p["s"].b), b=np.full(3, p["s"].w))}


def assert_tree_close(a, b, **kw):
    la, da = wengert.tree_flatten(a)
    lb, db = wengert.tree_flatten(b)
    assert da == db, f"structures differ: {da} vs {db}"
    for x, y in zip(la, lb):
        close(x, y, **kw)


def test_grad_of_nested_pytree_keeps_structure():
    p = make_params()
    g = grad(loss)(p)
    assert isinstance(g["s"], Params) and isinstance(g["w"], list)
    assert isinstance(g["b"], tuple)
    assert_tree_close(g, expected_grad(p))


def test_jvp_and_vjp_on_pytrees():
    p = make_params()
    t = wengert.tree_map(lambda x: np.ones_like(np.asarray(x, dtype=float)), p)
    _, tan = jvp(loss, (p,), (t,))
    expected = sum(np.sum(g) for g in wengert.tree_leaves(expected_grad(p)))
    assert tan == pytest.approx(expected)
    out, vjp_fn = vjp(loss, p)
    assert_tree_close(vjp_fn(1.0)[0], expected_grad(p))

    # a pytree *output* with a pytree cotangent
    def split(p):
        return {"sq": p["b"][0] ** 2, "pair": (p["s"].w * 3.0, p["w"][0] * 2.0)}
    out, vjp_fn = vjp(split, p)
    assert out["sq"] == 0.25
    (g,) = vjp_fn({"sq": 1.0, "pair": (1.0, np.array([1.0, 1.0]))})
    assert g["b"][0] == pytest.approx(1.0)
    assert g["s"].w == pytest.approx(3.0)
    close(g["w"][0], [2.0, 2.0])
    close(g["w"][1], [0.0, 0.0])


def test_jacobians_of_pytree_to_pytree():
    def f(d):
        x = d["p"]
        return {"a": x * 2.0, "b": (x[0], x ** 2)}
    x = np.array([1.0, 3.0])
    for jac in (jacfwd, jacrev):
        J = jac(f)({"p": x})
        close(J["a"]["p"], 2 * np.eye(2))
        close(J["b"][0]["p"], [1.0, 0.0])
        close(J["b"][1]["p"], np.diag(2 * x))


def test_jacobian_with_tuple_argnums():
    x, y = np.array([1.0, 2.0]), 3.0
    for jac in (jacfwd, jacrev, jacobian):
        jx, jy = jac(lambda x, y: x * y, argnums=(0, 1))(x, y)
        close(jx, y * np.eye(2))
        close(jy, x)


def test_list_and_tuple_arguments():
    g = grad(lambda xs: xs[0] * xs[1] * xs[2])([2.0, 3.0, 4.0])
    assert isinstance(g, list)
    close(g, [12.0, 8.0, 6.0])
    g = grad(lambda t: t[0] / t[1])((1.0, 4.0))
    assert isinstance(g, tuple)
    close(g, (0.25, -1 / 16))


def test_namedtuple_argument_and_output():
    def model(p, x):
        return Params(w=p.w * x, b=p.b + x)
    p = Params(w=2.0, b=1.0)
    J = jacrev(model)(p, 3.0)          # output Params of input Params
    assert isinstance(J, Params) and isinstance(J.w, Params)
    assert (J.w.w, J.w.b, J.b.w, J.b.b) == (3.0, 0.0, 0.0, 1.0)
    _, t = jvp(model, (p, 3.0), (Params(1.0, 0.0), 1.0))
    assert isinstance(t, Params) and t.w == pytest.approx(3.0 + 2.0) and t.b == 1.0


# -- has_aux --------------------------------------------------------------------------------
def test_has_aux_everywhere():
    def f(x):
        y = wnp.sin(x)
        return wnp.sum(y), {"y": y, "n": 3}
    x = np.array([0.1, 0.2])
    g, aux = grad(f, has_aux=True)(x)
    close(g, np.cos(x))
    close(aux["y"], np.sin(x))
    assert aux["n"] == 3
    assert not isinstance(aux["y"], wengert.core.Box)
    (v, aux2), g2 = value_and_grad(f, has_aux=True)(x)
    assert v == pytest.approx(np.sum(np.sin(x)))
    close(g2, np.cos(x))
    out, vjp_fn, aux3 = vjp(f, x, has_aux=True)
    close(vjp_fn(1.0)[0], np.cos(x))
    close(aux3["y"], np.sin(x))
    out, t, aux4 = jvp(f, (x,), (np.ones(2),), has_aux=True)
    assert t == pytest.approx(np.sum(np.cos(x)))
    assert not isinstance(aux4["y"], wengert.core.Box)

    def vecf(x):
        return wnp.sin(x), x[0]
    for jac in (jacfwd, jacrev):
        J, a = jac(vecf, has_aux=True)(x)
        close(J, np.diag(np.cos(x)))
        assert a == pytest.approx(0.1)


# -- nesting ---------------------------------------------------------------------------------
# f(x) = x² sin x and its derivatives, by hand
def fs(x):
    return x * x * wnp.sin(x)


def fs_derivs(x):
    s, c = np.sin(x), np.cos(x)
    return [x * x * s,
            2 * x * s + x * x * c,
            2 * s + 4 * x * c - x * x * s,
            6 * c - 6 * x * s - x * x * c]


def _d_grad(g):
    return grad(g)


def _d_jvp(g):
    return lambda x: jvp(g, (x,), (1.0,))[1]


def _d_vjp(g):
    return lambda x: vjp(g, x)[1](1.0)[0]


DERIVS = {"grad": _d_grad, "jvp": _d_jvp, "vjp": _d_vjp, "jacfwd": jacfwd,
          "jacrev": jacrev, "egrad": elementwise_grad}


@pytest.mark.parametrize("ops", list(itertools.product(DERIVS, repeat=2)),
                         ids=lambda o: "-".join(o))
def test_second_derivative_every_combination(ops):
    g = fs
    for name in ops:
        g = DERIVS[name](g)
    x = 0.7
    assert g(x) == pytest.approx(fs_derivs(x)[2], rel=1e-12)


@pytest.mark.parametrize("ops", list(itertools.product(DERIVS, repeat=3)),
                         ids=lambda o: "-".join(o))
def test_third_derivative_every_combination(ops):
    g = fs
    for name in ops:
        g = DERIVS[name](g)
    x = -1.3
    assert g(x) == pytest.approx(fs_derivs(x)[3], rel=1e-12)


def test_fourth_derivative():
    x = 0.4
    # d⁴/dx⁴ x² sin x = -12 sin x - 8x cos x + x² sin x
    expected = -12 * np.sin(x) - 8 * x * np.cos(x) + x * x * np.sin(x)
    assert grad(grad(grad(grad(fs))))(x) == pytest.approx(expected, rel=1e-12)


def _third_tensor(x):
    # f(x) = x0² x1 + sin x1 : nonzero third partials  f_001 = 2 (and perms), f_111 = -cos x1
    T = np.zeros((2, 2, 2))
    for idx in [(0, 0, 1), (0, 1, 0), (1, 0, 0)]:
        T[idx] = 2.0
    T[1, 1, 1] = -np.cos(x[1])
    return T


@pytest.mark.parametrize("jacs", list(itertools.product([jacfwd, jacrev], repeat=3)),
                         ids=lambda js: "-".join(j.__name__ for j in js))
def test_third_order_jacobians_of_vector_input(jacs):
    def f(x):
        return x[0] ** 2 * x[1] + wnp.sin(x[1])
    g = f
    for j in jacs:
        g = j(g)
    x = np.array([0.8, 0.3])
    close(g(x), _third_tensor(x), rtol=1e-12, atol=1e-14)


def test_explicit_mixed_nestings():
    x = 0.9
    d = fs_derivs(x)
    # jvp of grad, grad of jvp, vjp of jvp, jvp of vjp
    assert jvp(grad(fs), (x,), (1.0,))[1] == pytest.approx(d[2])
    assert grad(lambda x: jvp(fs, (x,), (1.0,))[1])(x) == pytest.approx(d[2])
    assert vjp(lambda x: jvp(fs, (x,), (1.0,))[1], x)[1](1.0)[0] == pytest.approx(d[2])
    assert jvp(lambda x: vjp(fs, x)[1](1.0)[0], (x,), (1.0,))[1] == pytest.approx(d[2])
    # a non-unit cotangent and tangent scale linearly
    assert jvp(grad(fs), (x,), (3.0,))[1] == pytest.approx(3 * d[2])
    assert vjp(grad(fs), x)[1](-2.0)[0] == pytest.approx(-2 * d[2])


def test_hvp_matches_hessian_on_random_point():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A + A.T

    def f(x):  # ½ xᵀAx + Σ cos x :  H = A - diag(cos x)
        return 0.5 * x @ A @ x + wnp.sum(wnp.cos(x))
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    H = A - np.diag(np.cos(x))
    close(hessian(f)(x), H, rtol=1e-10)
    close(hvp(f, (x,), (v,))[0], H @ v, rtol=1e-10)
    close(jacrev(jacrev(f))(x), H, rtol=1e-10)
    close(jacrev(jacfwd(f))(x), H, rtol=1e-10)


# -- perturbation confusion -------------------------------------------------------------------
def test_perturbation_confusion_reverse():
    # d/dx [x · d/dy (x + y)] = d/dx [x · 1] = 1  (a confused implementation gives 2)
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_perturbation_confusion_forward():
    def inner(x):
        return jvp(lambda y: x + y, (1.0,), (1.0,))[1]
    assert jvp(lambda x: x * inner(x), (1.0,), (1.0,))[1] == 1.0


@pytest.mark.parametrize("outer,inner", list(itertools.product(["grad", "jvp"], repeat=2)))
def test_perturbation_confusion_mixed(outer, inner):
    d_in = DERIVS[inner]
    d_out = DERIVS[outer]
    assert d_out(lambda x: x * d_in(lambda y: x + y)(1.0))(1.0) == 1.0
    # Siskind & Pearlmutter: d/dx [x · d/dy (x y)] = d/dx x² = 2x
    assert d_out(lambda x: x * d_in(lambda y: x * y)(2.0))(3.0) == pytest.approx(6.0)


# -- jacobian chooses its mode -----------------------------------------------------------------
def _counting_linear(k):
    """A primitive R^n -> R^(k·n), x ↦ (x, 2x, ..., kx), counting its rule calls."""
    calls = {"jvp": 0, "vjp": 0}
    w = np.arange(1.0, k + 1)

    def impl(x):
        return np.concatenate([c * x for c in w])
    p = wengert.primitive(impl, name=f"repeat{k}")

    def jvp_rule(t, ans, x):
        calls["jvp"] += 1
        return p(t)

    def vjp_rule(g, ans, x):
        calls["vjp"] += 1
        n = x.shape[0]
        return sum(c * g[i * n:(i + 1) * n] for i, c in enumerate(w))
    p.defjvp(jvp_rule)
    p.defvjp(vjp_rule)
    return p, calls, w


def test_jacobian_auto_uses_forward_mode_for_few_inputs():
    p, calls, w = _counting_linear(5)        # R^1 -> R^5
    J = jacobian(p)(np.array([0.3]))
    close(J, w[:, None])
    assert calls == {"jvp": 1, "vjp": 0}


def test_jacobian_auto_uses_reverse_mode_for_few_outputs():
    p, calls, w = _counting_linear(2)        # R^3 -> R^6 -> (sum) R^1
    J = jacobian(lambda x: wnp.sum(p(x)))(np.array([0.3, 0.1, 0.2]))
    close(J, np.full(3, w.sum()))
    assert calls == {"jvp": 0, "vjp": 1}


def test_jacobian_auto_square_case_and_forced_modes():
    p, calls, w = _counting_linear(1)        # R^2 -> R^2 (n == m: reverse)
    x = np.array([1.0, 2.0])
    close(jacobian(p)(x), np.eye(2))
    # one batched sweep (vmap over the basis), so each rule runs once, not m or n times
    assert calls == {"jvp": 0, "vjp": 1}
    p, calls, w = _counting_linear(4)        # R^2 -> R^8
    close(jacobian(p, mode="reverse")(x), np.kron(w[:, None], np.eye(2)))
    assert calls == {"jvp": 0, "vjp": 1}
    calls["vjp"] = 0
    close(jacobian(p, mode="forward")(x), np.kron(w[:, None], np.eye(2)))
    assert calls == {"jvp": 1, "vjp": 0}
    with pytest.raises(ValueError, match="mode"):
        jacobian(p, mode="sideways")


# -- dtypes and constants -------------------------------------------------------------------
def test_float32_in_float32_out():
    x = np.array([0.5, 1.5], dtype=np.float32)

    def f(x):
        return wnp.sum(wnp.sin(x) * x)

    def F(x):
        return wnp.sin(x) * 2.0
    assert grad(f)(x).dtype == np.float32
    assert value_and_grad(f)(x)[1].dtype == np.float32
    assert jacfwd(F)(x).dtype == np.float32
    assert jacrev(F)(x).dtype == np.float32
    assert hessian(f)(x).dtype == np.float32
    assert elementwise_grad(F)(x).dtype == np.float32
    assert jvp(F, (x,), (np.ones(2, np.float32),))[1].dtype == np.float32
    assert vjp(F, x)[1](np.ones(2, np.float32))[0].dtype == np.float32
    assert hvp(f, (x,), (np.ones(2, np.float32),))[0].dtype == np.float32
    assert np.asarray(grad(lambda s: s * s)(np.float32(3.0))).dtype == np.float32
    close(grad(f)(x), np.sin(x) + x * np.cos(x), rtol=1e-6)


def test_integer_arguments_outside_argnums_are_constants():
    assert grad(lambda x, n: x ** n)(3.0, 2) == pytest.approx(6.0)
    assert grad(lambda x, n: x ** n, argnums=0)(2.0, 3) == pytest.approx(12.0)
    idx = np.array([0, 2, 2])
    close(grad(lambda x, i: wnp.sum(x[i]))(np.arange(4.0), idx), [1.0, 0.0, 2.0, 0.0])
    close(jacfwd(lambda x, k: x * k)(np.ones(2), 3), 3 * np.eye(2))
    close(jacrev(lambda x, k: x * k)(np.ones(2), 3), 3 * np.eye(2))


def test_vjp_cotangent_scales_linearly():
    x = np.array([0.2, -0.7, 1.1])
    _, vjp_fn = vjp(wnp.exp, x)
    u = np.array([1.0, -2.0, 0.5])
    close(vjp_fn(u)[0], u * np.exp(x))


# -- Python control flow ----------------------------------------------------------------------
def branchy(x):
    if x > 0:
        return x * x          # 2x
    return -3.0 * x           # -3


def looping(x):
    y = x
    while y < 10.0:           # number of doublings depends on x
        y = y * 2.0
    return y                  # y = 2^k x, derivative 2^k


def summing(x, n):
    total = 0.0
    for i in range(n):
        total = total + x ** i   # Σ i x^(i-1)
    return total


def rec_power(x, n):
    return 1.0 if n == 0 else x * rec_power(x, n - 1)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_python_control_flow(mode):
    d = (lambda f: grad(f)) if mode == "rev" else (lambda f: lambda x: jvp(f, (x,), (1.0,))[1])
    assert d(branchy)(2.0) == pytest.approx(4.0)
    assert d(branchy)(-2.0) == pytest.approx(-3.0)
    assert d(looping)(0.3) == pytest.approx(64.0)    # 0.3·2^6 = 19.2 ≥ 10
    assert d(looping)(3.0) == pytest.approx(4.0)     # 3·2² = 12
    assert d(lambda x: summing(x, 5))(2.0) == pytest.approx(1 + 2 * 2 + 3 * 4 + 4 * 8)
    assert d(lambda x: rec_power(x, 7))(1.1) == pytest.approx(7 * 1.1 ** 6)


# -- edge cases -------------------------------------------------------------------------------
def test_numpy_integer_argnums_behave_like_int():
    assert grad(f2, argnums=np.int64(1))(X1, X2) == pytest.approx(D2)
    assert jacfwd(f2, argnums=np.int64(1))(X1, X2) == pytest.approx(D2)
    assert jacrev(f2, argnums=np.int64(1))(X1, X2) == pytest.approx(D2)


def test_jacobian_has_aux_in_both_modes():
    def F(x):
        return x * 2.0, "aux"
    for mode in ("auto", "forward", "reverse"):
        J, aux = jacobian(F, mode=mode, has_aux=True)(np.ones(2))
        close(J, 2 * np.eye(2))
        assert aux == "aux"


def test_jvp_tangent_takes_its_primals_dtype():
    _, t = jvp(lambda x: x * 2.0, (np.float32(1.0),), (1.0,))
    assert np.asarray(t).dtype == np.float32 and t == 2.0
    _, t = jvp(lambda x: x * 2.0, (np.ones(2),), (np.array([1, 2]),))
    close(t, [2.0, 4.0])


def test_empty_inputs_and_outputs():
    J = jacrev(lambda x: x[:0])(np.ones(2))
    assert J.shape == (0, 2)
    J = jacfwd(lambda x: x[:0])(np.ones(2))
    assert J.shape == (0, 2)
    g = grad(lambda x: wnp.sum(x) + 1.0)(np.ones(0))
    assert g.shape == (0,)
