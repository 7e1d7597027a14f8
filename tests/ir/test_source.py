"""Generated derivative source: it runs, and gives what grad and jvp give."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.ir import source, trace

R = np.random.default_rng(7)
A34 = R.normal(size=(3, 4))
B4 = R.normal(size=4)
C3 = R.normal(size=3)
M33 = R.normal(size=(3, 3)) + 3 * np.eye(3)
POS = R.uniform(0.5, 2.0, size=(2, 3))
W = np.array([0.3, -0.7, 1.2])

# (name, function, arguments): scalars, arrays, broadcasting, reductions, shapes, control flow.
CASES = [
    ("seed_slides", lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), (2.0, 5.0)),
    ("seed_blog", lambda x1, x2: x1 * x2 + x2 - wnp.log(x1), (3.0, -4.0)),
    ("poly", lambda x: 3.0 * x ** 3 - 2.0 * x ** 2 + x - 7.0, (1.3,)),
    ("tangent_slide", lambda x: x * x + x * (x * x), (0.7,)),
    ("quotient", lambda x, y: (x + 1.0) / (y * y + 2.0), (0.4, -1.1)),
    ("exp_log", lambda x: wnp.exp(wnp.log(x) * 2.0), (1.7,)),
    ("trig", lambda x: wnp.sin(x) * wnp.cos(x) + wnp.tan(x / 3.0), (0.9,)),
    ("hyper", lambda x: wnp.tanh(x) + wnp.sinh(x) * wnp.cosh(x), (0.3,)),
    ("roots", lambda x: wnp.sqrt(x) + wnp.cbrt(x) + wnp.reciprocal(x), (2.5,)),
    ("inverse_trig", lambda x: wnp.arcsin(x) + wnp.arccos(x / 2) + wnp.arctan(x), (0.4,)),
    ("pow_var", lambda x, y: x ** y, (1.8, 2.3)),
    ("neg_abs", lambda x: -wnp.abs(x) + wnp.square(x), (-1.4,)),
    ("max_min", lambda x, y: wnp.maximum(x, y) * wnp.minimum(x, 2.0 * y), (0.5, 0.9)),
    ("logaddexp", lambda x, y: wnp.logaddexp(x, y) + wnp.hypot(x, y), (0.2, -0.6)),
    ("where", lambda x: wnp.sum(wnp.where(x > 0, x ** 2, -x)), (np.array([-1.0, 0.5, 2.0]),)),
    ("branch", lambda x: x * 2 + 5 if x > 2 else x / 2 + 5, (3.0,)),
    ("loop", lambda x: _loop(x), (0.8,)),
    ("stop_gradient", lambda x: x * wengert.stop_gradient(x) + x, (1.5,)),
    ("sum_sq", lambda x: wnp.sum(x ** 2), (B4,)),
    ("mean_var", lambda x: wnp.mean(x) + wnp.var(x), (A34,)),
    ("matvec", lambda A, x: wnp.sum(wnp.tanh(A @ x)), (A34, B4)),
    ("bias_broadcast", lambda A, b: wnp.sum(wnp.sin(A + b)), (A34, B4)),
    ("col_broadcast", lambda A, c: wnp.sum((A * c[:, None]) ** 2), (A34, C3)),
    ("axis_sum", lambda A: wnp.sum(wnp.sum(A, axis=0) ** 3), (A34,)),
    ("keepdims", lambda A: wnp.sum(A / wnp.sum(A, axis=1, keepdims=True)), (POS,)),
    ("prod", lambda x: wnp.prod(x) + wnp.prod(x[:2]), (np.array([1.5, 0.7, 2.0]),)),
    ("max_reduce", lambda A: wnp.max(A, axis=1).sum() + wnp.min(A), (A34,)),
    ("cumsum", lambda x: wnp.sum(wnp.cumsum(x) ** 2), (B4,)),
    ("reshape_T", lambda A: wnp.sum(A.reshape(4, 3) @ W) + wnp.sum(A.T[0] ** 2), (A34,)),
    ("index", lambda A: A[1, 2] * A[0, :].sum() + A[:, ::2].sum(), (A34,)),
    ("concat", lambda x, y: wnp.sum(wnp.concatenate([x, 2.0 * y]) ** 2), (B4, C3)),
    ("stack", lambda x, y: wnp.sum(wnp.stack([x, y]) @ np.ones(3)), (C3, W)),
    ("softmax_xent", lambda z: -wnp.log(wnp.exp(z[1]) / wnp.sum(wnp.exp(z))), (B4,)),
    ("mlp", lambda p, x: _mlp(p, x), ({"W": A34, "b": C3}, B4)),
    ("list_params", lambda ps: ps[0] * ps[1] + wnp.exp(ps[0]), ([0.3, 1.2],)),
    ("float32", lambda x: wnp.sum(wnp.exp(x) * 0.5), (np.array([0.1, 0.2], np.float32),)),
    ("solve", lambda M, b: wnp.sum(wnp.linalg.solve(M, b) ** 2), (M33, C3)),
    ("logdet", lambda M: wnp.linalg.slogdet(M)[1], (M33,)),
    ("norm", lambda x: wnp.sqrt(wnp.sum(x * x)), (B4,)),
    ("outer", lambda x, y: wnp.sum(wnp.outer(x, y) ** 2), (C3, B4)),
]


def _loop(x):
    y = x
    for _ in range(3):
        y = wnp.sin(y) * x
    return y


def _mlp(p, x):
    h = wnp.tanh(p["W"] @ x + p["b"])
    return wnp.sum(h * h)


def test_at_least_30_functions():
    assert len(CASES) >= 30


def _close(a, b):
    la, _ = wengert.tree_flatten(a)
    lb, _ = wengert.tree_flatten(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x, dtype=np.float64),
                                   np.asarray(y, dtype=np.float64), rtol=1e-5, atol=1e-7)


def _grad(f, args):
    g = wengert.grad(f, argnums=tuple(range(len(args))))(*args)
    return g[0] if len(args) == 1 else g


@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_reverse_source_equals_grad(name, f, args):
    src = source(f, *args)
    assert "_bar" in src.code and "# forward sweep" in src.code
    got = src.compile()(*args)
    _close(got, _grad(f, args))


@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_forward_source_equals_jvp(name, f, args):
    tangents = wengert.tree_map(lambda a: np.asarray(R.normal(size=np.shape(a))).astype(
        np.result_type(a, np.float32)), args)
    src = source(f, *args, mode="forward")
    y, y_dot = src.compile()(*args, *tangents)
    y_ref, y_dot_ref = wengert.jvp(f, args, tangents)
    _close(y, y_ref)
    _close(y_dot, y_dot_ref)


def test_primal_source_replays_the_function():
    f = CASES[20][1]
    prog = source(f, A34, B4, mode="primal").compile()
    np.testing.assert_allclose(prog(A34, B4), f(A34, B4))


def test_source_reads_like_the_seeds():
    code = source(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), 2.0, 5.0).code
    assert code.startswith("def _lambda_grad(x1, x2, y_bar=1.0):") or "def " in code
    assert "v1 = np.log(x1)" in code
    assert "v5_bar = y_bar" in code
    assert "x2_bar = v3_bar * np.cos(x2)" in code or "np.cos(x2)" in code
    assert "# v̄₋₁ += v̄₁ · ∂v₁/∂v₋₁" in code
    assert "x1_bar = x1_bar + v1_bar * (1.0 / x1)" in code
    assert "_p[" not in code and "_c" not in code  # plain NumPy, nothing hidden
    fwd = source(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0, mode="forward").code
    assert "v2_dot = x1_dot * x2 + x1 * x2_dot" in fwd
    assert "# v̇₂ = v̇₋₁ · ∂v₂/∂v₋₁ + v̇₀ · ∂v₂/∂v₀" in fwd


def test_reverse_source_is_correct_away_from_the_traced_point():
    # Nothing value-dependent is baked in for smooth, branch-free functions.
    for name, f, args in CASES[:14]:
        if name in ("neg_abs", "max_min"):
            continue
        moved = tuple(a * 1.05 for a in args)
        _close(source(f, *args).compile()(*moved), _grad(f, moved))


def test_array_output_needs_a_cotangent():
    src = source(lambda x: wnp.sin(x) * 2.0, C3)
    assert "y_bar)" in src.code.splitlines()[0]
    ct = np.array([1.0, -2.0, 0.5])
    out, vjp_fn = wengert.vjp(lambda x: wnp.sin(x) * 2.0, C3)
    np.testing.assert_allclose(src.compile()(C3, ct), vjp_fn(ct)[0])


def test_custom_primitive_falls_back_to_the_namespace():
    @wengert.primitive
    def cube(x):
        return x ** 3

    cube.defvjp(lambda g, ans, x: g * 3 * x ** 2)
    cube.defjvp(lambda t, ans, x: t * 3 * x ** 2)
    f = lambda x: wnp.sin(cube(x))  # noqa: E731
    src = source(f, 0.6)
    assert "_p['cube']" in src.code
    np.testing.assert_allclose(src.compile()(0.6), wengert.grad(f)(0.6))
    y, yd = source(f, 0.6, mode="forward").compile()(0.6, 1.0)
    np.testing.assert_allclose(yd, wengert.grad(f)(0.6))


def test_large_constants_travel_in_the_namespace():
    big = np.linspace(0.0, 1.0, 50)
    f = lambda x: wnp.sum(x * big)  # noqa: E731
    src = source(f, np.ones(50))
    assert "_c1" in src.code
    np.testing.assert_allclose(src.compile()(np.ones(50)), big)


def test_several_outputs_need_forward_mode():
    f = lambda x: (wnp.sin(x), {"c": wnp.cos(x)})  # noqa: E731
    with pytest.raises(ValueError, match="one output"):
        source(f, 0.3)
    (s, d), (ds, dd) = source(f, 0.3, mode="forward").compile()(0.3, 1.0)
    np.testing.assert_allclose([ds, dd["c"]], [np.cos(0.3), -np.sin(0.3)])


def test_trace_source_method_and_bad_mode():
    t = trace(lambda x: x * x, 3.0)
    assert t.source("reverse").compile()(3.0) == 6.0
    with pytest.raises(ValueError, match="mode"):
        t.source("sideways")
    assert "lines" in repr(t.source())
    assert t.source()._repr_markdown_().startswith("```python")


def test_names_never_collide():
    # An input called y (its adjoint is y_bar) and one called y_dot.
    f = lambda y, y_dot: y * y_dot + wnp.sin(y)  # noqa: E731
    src = source(f, 0.5, 2.0)
    assert "y_bar_2=1.0" in src.code.splitlines()[0]
    _close(src.compile()(0.5, 2.0), _grad(f, (0.5, 2.0)))
    fwd = source(f, 0.5, 2.0, mode="forward")
    assert fwd.code.splitlines()[0] == "def f_jvp(y, y_dot, y_dot_2, y_dot_dot):"
    _close(fwd.compile()(0.5, 2.0, 1.0, 0.0)[1], wengert.grad(f)(0.5, 2.0))
