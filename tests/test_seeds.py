"""Every worked example of the seed documents, reproduced.

Published numbers are compared with a tolerance that matches the digits they
were printed with (11.652 → ±5e-4).
"""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import elementwise_grad, grad, jacfwd, jvp, stop_gradient, value_and_grad, vjp
from wengert import numeric as nd
from wengert.core.reverse import Node, VJPBox, backward_pass
from wengert.core.tracing import new_level, unbox


def printed(value, digits):
    """A tolerance for a number printed with ``digits`` decimals."""
    return pytest.approx(value, abs=0.5 * 10.0 ** -digits)


# -- lecture "Gradients": AD on a linear model ----------------------------------------------
def mse(w, b, x=1.0, y=7.0):
    alpha = x * w
    beta = alpha + b
    gamma = beta - y
    return gamma ** 2


def test_linear_model_functional():
    loss, (gw, gb) = value_and_grad(mse, argnums=(0, 1))(2.0, 3.0)
    assert loss == 4.0
    assert (gw, gb) == (-4.0, -4.0)
    w1, b1 = 2.0 - 0.1 * gw, 3.0 - 0.1 * gb
    assert (w1, b1) == (pytest.approx(2.4), pytest.approx(3.4))


def test_linear_model_tensor():
    w = wengert.tensor(2.0, requires_grad=True)
    b = wengert.tensor(3.0, requires_grad=True)
    loss = mse(w, b)
    assert loss.item() == 4.0
    loss.backward()
    assert (w.grad.item(), b.grad.item()) == (-4.0, -4.0)
    with wengert.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    assert (w.item(), b.item()) == (pytest.approx(2.4), pytest.approx(3.4))


# -- slides: f(x1, x2) = ln(x1) + x1 x2 − sin(x2) at (2, 5) --------------------------------
def f_slides(x1, x2):
    v1 = wnp.log(x1)
    v2 = x1 * x2
    v3 = wnp.sin(x2)
    v4 = v1 + v2
    return v4 - v3


def test_slides_value_forward_and_reverse():
    assert f_slides(2.0, 5.0) == printed(11.652, 3)
    y, dy = jvp(f_slides, (2.0, 5.0), (1.0, 0.0))
    assert y == printed(11.652, 3) and dy == pytest.approx(5.5)
    g1, g2 = grad(f_slides, argnums=(0, 1))(2.0, 5.0)
    assert g1 == pytest.approx(5.5) and g2 == printed(1.716, 3)


def test_slides_forward_tangent_trace():
    seen = {}

    def traced(x1, x2):
        v1 = wnp.log(x1)
        v2 = x1 * x2
        v3 = wnp.sin(x2)
        v4 = v1 + v2
        seen.update(v1=v1, v2=v2, v3=v3, v4=v4)
        return v4 - v3
    jvp(traced, (2.0, 5.0), (1.0, 0.0))
    tangent = {k: getattr(v, "_tangent", 0.0) for k, v in seen.items()}
    assert unbox(seen["v2"]) == 10.0 and unbox(seen["v4"]) == printed(10.693, 3)
    assert tangent["v1"] == 0.5 and tangent["v2"] == 5.0 and tangent["v4"] == 5.5
    assert tangent["v3"] in (0.0, None) or unbox(tangent["v3"]) == 0.0


def test_slides_reverse_adjoint_trace():
    """The contributions that reach x1 and x2 are those of the adjoint table."""
    level = new_level()
    x1 = VJPBox(2.0, level, Node.leaf())
    x2 = VJPBox(5.0, level, Node.leaf())
    y = f_slides(x1, x2)
    contributions: dict = {}

    def observer(node, argnum, parent, ct):
        contributions.setdefault(parent, []).append(float(unbox(ct)))
    leaves = backward_pass([(y._node, y._index, 1.0)], observer=observer)
    # x̄1 = v̄2 ∂v2/∂x1 + v̄1 ∂v1/∂x1 = 5 + 0.5;  x̄2 = v̄2 ∂v2/∂x2 + v̄3 ∂v3/∂x2 = 2 − 0.284
    assert sorted(contributions[x1._node]) == [0.5, 5.0]
    c2 = sorted(contributions[x2._node])
    assert c2[0] == printed(-0.284, 3) and c2[1] == 2.0
    assert leaves[x1._node] == 5.5 and leaves[x2._node] == printed(1.716, 3)


# -- blog: y = x1 x2 + x2 − ln(x1) ------------------------------------------------------------
def f_blog(x1, x2):
    return x1 * x2 + x2 - wnp.log(x1)


def test_blog_primal_trace():
    assert f_blog(2.0, 4.0) == printed(11.307, 3)
    assert f_blog(3.0, -4.0) == printed(-17.10, 2)


def test_blog_forward_mode():
    y, dy_dx2 = jvp(f_blog, (3.0, -4.0), (0.0, 1.0))
    assert y == printed(-17.10, 2)
    assert dy_dx2 == 4.0


def test_blog_reverse_mode():
    g1, g2 = grad(f_blog, argnums=(0, 1))(3.0, -4.0)
    assert g1 == printed(-4.33, 2)
    assert g2 == 4.0


# -- blog: operator overloading examples ------------------------------------------------------
def mul_add(a, b, c):
    return a * b + c * a


def div_sub(a, b, c):
    return a / b - c


ABC = (25.0, 4.0, -5.0)


def test_operator_overloading_forward_functional():
    y, t = jvp(mul_add, ABC, (1.0, 0.0, 0.0))
    assert (y, t) == (-25.0, -1.0)
    y, t = jvp(div_sub, ABC, (0.0, 1.0, 0.0))
    assert (y, t) == (11.25, -1.5625)


def test_operator_overloading_reverse_functional():
    assert grad(mul_add, argnums=(0, 1, 2))(*ABC) == (-1.0, 25.0, 25.0)
    assert grad(div_sub, argnums=(0, 1, 2))(*ABC) == (0.25, -1.5625, -1.0)


def test_operator_overloading_tensor_api():
    a, b, c = (wengert.tensor(v, requires_grad=True) for v in ABC)
    d = mul_add(a, b, c)
    d.backward()
    assert d.item() == -25.0
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (-1.0, 25.0, 25.0)
    wengert.zero_grad([a, b, c])
    e = div_sub(a, b, c)
    e.backward()
    assert e.item() == 11.25
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (0.25, -1.5625, -1.0)
    # "If we hadn't [zeroed], we'd accumulate the partial derivatives"
    div_sub(a, b, c).backward()
    assert a.grad.item() == 0.5
    a2, b2, c2 = (wengert.tensor(v, requires_grad=True) for v in ABC)
    mul_add(a2, b2, c2).backward()
    div_sub(a2, b2, c2).backward()
    assert (a2.grad.item(), b2.grad.item(), c2.grad.item()) == (-0.75, 23.4375, 24.0)


# -- blog: numeric and symbolic differentiation ---------------------------------------------
def test_derivative_approximations_of_cos_at_2_float32():
    """The figure: h = 0.5, float32; the central difference is the best of the three."""
    x, h = np.float32(2.0), np.float32(0.5)
    exact = -np.sin(2.0)
    err = {m: abs(float(nd.derivative(np.cos, x, m, h=h)) - exact)
           for m in ("forward", "backward", "central")}
    assert err["central"] < err["forward"] and err["central"] < err["backward"]
    assert np.asarray(nd.derivative(np.cos, x, "central", h=h)).dtype == np.float32


def test_truncation_versus_round_off_float32():
    """f(x) = (x − 10)²(3x² − 3x + 1) in float32: large h truncates, tiny h rounds off."""
    def f(x):
        return (x - np.float32(10)) ** 2 * (np.float32(3) * x * x - np.float32(3) * x
                                            + np.float32(1))
    x = np.float32(1.5)
    # f' = 2(x−10)(3x²−3x+1) + (x−10)²(6x−3)
    exact = 2 * (1.5 - 10) * (3 * 1.5 ** 2 - 3 * 1.5 + 1) + (1.5 - 10) ** 2 * (6 * 1.5 - 3)

    def error(method, h):
        return abs(float(nd.derivative(f, x, method, h=np.float32(h))) - exact)
    for method in ("forward", "central"):
        assert error(method, 1e-2) < error(method, 1.0)       # truncation shrinks with h
        assert error(method, 1e-7) > error(method, 1e-3)      # round-off grows as h → 0
    assert error("central", 1e-2) < error("forward", 1e-2)


def test_symbolic_example_eq_5():
    # f(g(x)) = 4(cos x + 2x − eˣ)²,  df/dx = 8(cos x + 2x − eˣ)(−sin x + 2 − eˣ)
    def fog(x):
        return 4 * (wnp.cos(x) + 2 * x - wnp.exp(x)) ** 2
    for x in (-1.0, 0.3, 2.0):
        expected = 8 * (np.cos(x) + 2 * x - np.exp(x)) * (-np.sin(x) + 2 - np.exp(x))
        assert grad(fog)(x) == pytest.approx(expected, rel=1e-12)
        assert jvp(fog, (x,), (1.0,))[1] == pytest.approx(expected, rel=1e-12)


def test_expression_swell_example():
    """∂f/∂w of f = (e^{wx+b} + e^{−(wx+b)}) / (e^{wx+b} − e^{−(wx+b)}), the blog's formula."""
    def f(w, x, b):
        z = w * x + b
        return (wnp.exp(z) + wnp.exp(-z)) / (wnp.exp(z) - wnp.exp(-z))
    E = np.exp
    for w, x, b in [(0.5, 1.2, 0.3), (-1.0, 0.4, 2.0)]:
        published = ((-x * E(-b - w * x) - x * E(b + w * x)) * (E(-b - w * x) + E(b + w * x))
                     / (-E(-b - w * x) + E(b + w * x)) ** 2
                     + (-x * E(-b - w * x) + x * E(b + w * x))
                     / (-E(-b - w * x) + E(b + w * x)))
        assert grad(f)(w, x, b) == pytest.approx(published, rel=1e-12)


def test_control_flow_that_symbolic_differentiation_cannot_handle():
    def f(x):
        if x > 2:
            return x * 2 + 5
        return x / 2 + 5
    assert grad(f)(3.0) == 2.0 and grad(f)(1.0) == 0.5
    assert jvp(f, (3.0,), (1.0,))[1] == 2.0 and jvp(f, (1.0,), (1.0,))[1] == 0.5


# -- blog: nura's forward-mode Jacobian --------------------------------------------------------
def test_forward_mode_jacobian_of_a_b_plus_c_wrt_b():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([5.0, 6.0, 7.0, 8.0])
    c = 1.0

    def fn(a, b, c):
        return a * b + c
    np.testing.assert_array_equal(fn(a, b, c), [6.0, 13.0, 22.0, 33.0])
    J = jacfwd(fn, argnums=1)(a, b, c)
    np.testing.assert_array_equal(J, np.diag(a))


# -- textbook (Zygote chapter) ------------------------------------------------------------------
X4 = np.array([1.0, 2.0, 3.0, 4.0])


def test_zygote_simple_functions():
    np.testing.assert_array_equal(grad(lambda x: 2 * wnp.dot(x, x))(X4), 4 * X4)
    np.testing.assert_array_equal(grad(lambda x: wnp.sum(x))(X4), np.ones(4))
    np.testing.assert_array_equal(elementwise_grad(lambda x: x * x)(X4), 2 * X4)
    np.testing.assert_array_equal(grad(lambda x: wnp.sum(x * x))(X4), 2 * X4)


def test_zygote_simple_functions_tensor_api():
    x = wengert.tensor(X4, requires_grad=True)
    (2 * x @ x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), 4 * X4)
    x.zero_grad()
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(4))
    x.zero_grad()
    (x * x).backward(gradient=np.ones(4))
    np.testing.assert_array_equal(x.grad.numpy(), 2 * X4)


def test_zygote_detach_functional():
    def z(x):
        u = stop_gradient(x * x)
        return x * u
    u = X4 * X4
    np.testing.assert_array_equal(grad(lambda x: wnp.sum(z(x)))(X4), u)     # u, not 3x²
    np.testing.assert_array_equal(elementwise_grad(lambda x: x * x)(X4), 2 * X4)


def test_zygote_detach_tensor():
    x = wengert.tensor(X4, requires_grad=True)
    y = x * x
    u = y.detach()
    z = x * u
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), X4 * X4)
    x.zero_grad()
    y.sum().backward()      # the graph leading to y persists
    np.testing.assert_array_equal(x.grad.numpy(), 2 * X4)


def zygote_f(a):
    b = 2 * a
    while wnp.sqrt(wnp.sum(b * b)) < 1000:
        b = 2 * b
    c = b if wnp.sum(b) > 0 else 100 * b
    return c


@pytest.mark.parametrize("seed", range(6))
def test_zygote_control_flow(seed):
    a = np.random.default_rng(seed).standard_normal()
    expected = zygote_f(a) / a
    assert grad(zygote_f)(a) == pytest.approx(expected, rel=1e-14)
    assert jvp(zygote_f, (a,), (1.0,))[1] == pytest.approx(expected, rel=1e-14)


# -- slides: source transformation (Tangent) ------------------------------------------------------
def test_source_transformation_example():
    def f(x):
        a = x * x
        b = x * a
        c = a + b
        return c
    for x in (-2.0, 0.5, 3.0):
        assert grad(f)(x) == pytest.approx(2 * x + 3 * x * x)
        assert jvp(f, (x,), (1.0,))[1] == pytest.approx(2 * x + 3 * x * x)
        assert vjp(f, x)[1](1.0)[0] == pytest.approx(2 * x + 3 * x * x)


# -- summary: gradients without backpropagation -------------------------------------------------
def test_forward_gradient_is_an_unbiased_estimate():
    """(∇f·v) v with v ~ N(0, I), from forward mode only, averages to ∇f."""
    def f(x):   # Rosenbrock
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    x = np.array([-0.5, 0.8])
    true = grad(f)(x)
    rng = np.random.default_rng(0)
    n = 4000
    est = np.zeros(2)
    for _ in range(n):
        v = rng.standard_normal(2)
        est += jvp(f, (x,), (v,))[1] * v
    est /= n
    # standard error of each entry ≈ |∇f| √(2/n) ≈ 0.022 |∇f|
    np.testing.assert_allclose(est, true, atol=0.1 * np.linalg.norm(true))
