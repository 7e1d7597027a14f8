"""stop_gradient, custom_jvp and custom_vjp (JAX's API)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import custom_jvp, custom_vjp, grad, hessian, jacfwd, jacrev, jvp, stop_gradient, vjp

close = np.testing.assert_allclose


# -- stop_gradient -----------------------------------------------------------------------
def test_stop_gradient_cuts_both_modes():
    f = lambda x: x * stop_gradient(x * x)   # noqa: E731  d/dx = x² (not 3x²)
    assert grad(f)(3.0) == pytest.approx(9.0)
    assert jvp(f, (3.0,), (1.0,))[1] == pytest.approx(9.0)
    assert grad(lambda x: stop_gradient(x))(3.0) == 0.0
    assert grad(grad(lambda x: x * stop_gradient(x) * x))(2.0) == pytest.approx(2 * 2.0)


def test_stop_gradient_on_pytrees_and_values():
    t = {"a": 1.0, "b": (2.0, np.ones(2))}
    out = stop_gradient(t)
    assert out["a"] == 1.0 and out["b"][0] == 2.0
    close(out["b"][1], np.ones(2))
    g = grad(lambda p: p["a"] * stop_gradient(p)["b"][0])({"a": 3.0, "b": (4.0,)})
    assert g == {"a": 4.0, "b": (0.0,)}


# -- custom_jvp: a stable softplus ----------------------------------------------------------
def naive_softplus(x):
    return wnp.log1p(wnp.exp(x))


@custom_jvp
def softplus(x):
    return wnp.logaddexp(0.0, x)


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1.0 + wnp.exp(-x))   # t · sigmoid(x): 1 at x = 1000


def test_naive_softplus_gradient_is_nan_at_1000():
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(grad(naive_softplus)(1000.0))


def test_custom_jvp_gradient_is_exact_at_1000_in_both_modes():
    assert softplus(1000.0) == 1000.0
    assert grad(softplus)(1000.0) == 1.0
    out, t = jvp(softplus, (1000.0,), (1.0,))
    assert out == 1000.0 and t == 1.0
    with np.errstate(over="ignore"):
        assert grad(softplus)(-1000.0) == 0.0
    assert grad(softplus)(0.0) == 0.5


def test_custom_jvp_second_order():
    # d²/dx² softplus = σ(x)(1 - σ(x))
    for x in (0.0, 1.5, -2.0):
        s = 1 / (1 + np.exp(-x))
        for second in (grad(grad(softplus)), jacfwd(jacrev(softplus)),
                       jacrev(jacfwd(softplus)), jacfwd(jacfwd(softplus))):
            assert second(x) == pytest.approx(s * (1 - s), rel=1e-12)
    assert grad(grad(softplus))(1000.0) == 0.0
    assert np.isfinite(jvp(grad(softplus), (1000.0,), (1.0,))[1])


def test_custom_jvp_on_arrays():
    x = np.array([-1000.0, 0.0, 3.0, 1000.0])
    with np.errstate(over="ignore"):
        g = grad(lambda x: wnp.sum(softplus(x)))(x)
    close(g, [0.0, 0.5, 1 / (1 + np.exp(-3.0)), 1.0])


def test_custom_jvp_rule_is_used_not_the_function():
    # A deliberately different rule shows which one is used: f = x², rule says 10·t.
    @custom_jvp
    def f(x):
        return x * x

    @f.defjvp
    def _(primals, tangents):
        return f(primals[0]), 10.0 * tangents[0]
    assert grad(f)(3.0) == 10.0
    assert jvp(f, (3.0,), (2.0,))[1] == 20.0
    assert jacrev(f)(3.0) == 10.0


def test_custom_jvp_several_arguments_and_pytrees():
    @custom_jvp
    def f(p, x):
        return {"s": p["a"] * x, "t": (p["b"] + x,)}

    @f.defjvp
    def _(primals, tangents):
        (p, x), (tp, tx) = primals, tangents
        return f(p, x), {"s": tp["a"] * x + p["a"] * tx, "t": (tp["b"] + tx,)}
    p = {"a": 2.0, "b": 5.0}
    gp, gx = grad(lambda p, x: f(p, x)["s"] + 3.0 * f(p, x)["t"][0], argnums=(0, 1))(p, 4.0)
    assert gp == {"a": 4.0, "b": 3.0} and gx == pytest.approx(2.0 + 3.0)
    _, t = jvp(f, (p, 4.0), ({"a": 1.0, "b": 0.0}, 0.0))
    assert t == {"s": 4.0, "t": (0.0,)}
    H = hessian(lambda a, x: f({"a": a, "b": 0.0}, x)["s"], argnums=(0, 1))(2.0, 4.0)
    close([[H[0][0], H[0][1]], [H[1][0], H[1][1]]], [[0.0, 1.0], [1.0, 0.0]])


def test_custom_jvp_with_tensors():
    x = wengert.tensor(1000.0, requires_grad=True)
    softplus(x).backward()
    assert x.grad.item() == 1.0


# -- custom_vjp --------------------------------------------------------------------------------
@custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(_, g):
    return (wnp.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_custom_vjp_gradient_clipping():
    x = np.array([1.0, -2.0, 0.1])
    assert clip_gradient(2.5) == 2.5
    # d/dx 5·Σx = 5, clipped to 1
    close(grad(lambda x: 5.0 * wnp.sum(clip_gradient(x)))(x), [1.0, 1.0, 1.0])
    # d/dx Σ x²/2 = x, clipped to [-1, 1]
    close(grad(lambda x: 0.5 * wnp.sum(clip_gradient(x) ** 2))(x), [1.0, -1.0, 0.1])
    _, vjp_fn = vjp(clip_gradient, x)
    close(vjp_fn(np.array([3.0, -0.5, -9.0]))[0], [1.0, -0.5, -1.0])


def test_custom_vjp_with_residuals_and_two_arguments():
    @custom_vjp
    def f(x, y):
        return wnp.sin(x) * y

    def fwd(x, y):
        return wnp.sin(x) * y, (wnp.cos(x), wnp.sin(x), y)

    def bwd(res, g):
        cos_x, sin_x, y = res
        return g * cos_x * y, g * sin_x
    f.defvjp(fwd, bwd)
    x, y = 0.4, 2.5
    gx, gy = grad(f, argnums=(0, 1))(x, y)
    assert gx == pytest.approx(np.cos(x) * y) and gy == pytest.approx(np.sin(x))


def test_custom_vjp_second_order_differentiates_fwd_and_bwd():
    # square with its true rule: second derivative 2, also through residuals
    @custom_vjp
    def sq(x):
        return x * x
    sq.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * g * x,))
    assert grad(grad(sq))(3.0) == pytest.approx(2.0)
    assert grad(grad(lambda x: sq(x) * x))(3.0) == pytest.approx(6 * 3.0)   # d²x³
    close(jacrev(jacrev(lambda x: wnp.sum(sq(x))))(np.array([1.0, 2.0])), 2 * np.eye(2))

    @custom_vjp
    def mul(x, y):
        return x * y
    mul.defvjp(lambda x, y: (x * y, (x, y)), lambda r, g: (g * r[1], g * r[0]))
    # d/dx [x · ∂/∂y (x y)] = d/dx x² = 2x
    assert grad(lambda x: x * grad(mul, argnums=1)(x, 3.0))(2.0) == pytest.approx(4.0)


def test_custom_vjp_pytree_arguments_and_none_cotangents():
    @custom_vjp
    def f(p, n):
        return p["a"] * n

    def bwd(n, g):
        return {"a": g * n, "b": None}, None
    f.defvjp(lambda p, n: (p["a"] * n, n), bwd)
    g = grad(f)({"a": 2.0, "b": 5.0}, 3)
    assert g["a"] == 3.0 and g["b"] == 0.0


def test_custom_vjp_with_tensors():
    x = wengert.tensor([3.0, -0.5], requires_grad=True)
    (4.0 * clip_gradient(x)).sum().backward()
    close(x.grad.numpy(), [1.0, 1.0])
    with wengert.no_grad():
        assert not clip_gradient(x).requires_grad


def test_custom_vjp_under_forward_mode_is_a_clear_error():
    for run in (lambda: jvp(clip_gradient, (1.0,), (1.0,)),
                lambda: jacfwd(clip_gradient)(1.0),
                lambda: grad(lambda x: jvp(clip_gradient, (x,), (1.0,))[1])(1.0)):
        with pytest.raises(TypeError, match="custom_vjp.*clip_gradient.*forward mode"):
            run()


def test_forward_over_reverse_of_custom_vjp_differentiates_bwd():
    # As in JAX: reverse mode meets the call first and uses the rule; forward mode
    # then differentiates fwd and bwd.  grad of x² is clip(2x, -1, 1).
    h = hessian(lambda x: clip_gradient(x) ** 2)
    assert h(0.25) == pytest.approx(2.0)
    assert h(1.0) == pytest.approx(0.0)


def test_custom_rule_errors():
    @custom_vjp
    def f(x):
        return x
    with pytest.raises(TypeError, match="defvjp"):
        f(1.0)
    f.defvjp(lambda x: (x, None), lambda r, g: g)   # not a tuple
    with pytest.raises(TypeError, match="one cotangent per argument"):
        grad(f)(1.0)
    f.defvjp(lambda x: (x, None), lambda r, g: (np.ones(3),))   # wrong shape
    with pytest.raises(ValueError, match="shape"):
        grad(f)(1.0)

    @custom_jvp
    def h(x):
        return x
    with pytest.raises(TypeError, match="defjvp"):
        h(1.0)
    h.defjvp(lambda p, t: t[0])   # not a pair
    with pytest.raises(TypeError, match="pair"):
        jvp(h, (np.ones(3),), (np.ones(3),))


def test_custom_functions_without_tracing_just_run():
    assert softplus(0.0) == pytest.approx(np.log(2.0))
    assert clip_gradient(7.0) == 7.0


def test_custom_jvp_integer_argument_and_partly_used_outputs():
    @custom_jvp
    def pw(x, n):
        return x ** n, x * 2.0

    @pw.defjvp
    def _(primals, tangents):
        (x, n), (tx, _) = primals, tangents
        return pw(x, n), (n * x ** (n - 1) * tx, 2.0 * tx)
    assert grad(lambda x: pw(x, 3)[0])(2.0) == 12.0     # second output unused
    assert grad(lambda x: pw(x, 3)[1])(2.0) == 2.0      # first output unused
    assert grad(grad(lambda x: pw(x, 3)[0]))(2.0) == pytest.approx(12.0)
    out, t = jvp(lambda x: pw(x, 3), (2.0,), (1.0,))
    assert out == (8.0, 4.0) and t == (12.0, 2.0)
    close(jacrev(lambda x: pw(x, 2)[0])(np.array([1.0, 3.0])), np.diag([2.0, 6.0]))
