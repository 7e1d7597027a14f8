"""The engine under the transforms: levels, boxes, the iterative backward pass,
long chains, and freeing the recorded graph."""

from __future__ import annotations

import gc
import sys
import time
import weakref

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.core.forward import JVPBox
from wengert.core.reverse import Node, VJPBox
from wengert.core.tracing import Box, new_level, unbox


# -- levels ------------------------------------------------------------------------------
def test_levels_increase():
    a, b, c = new_level(), new_level(), new_level()
    assert a < b < c
    assert a > 1  # level 1 belongs to the eager tensor API


def test_bind_handles_the_highest_level_first():
    lo, hi = new_level(), new_level()
    x = VJPBox(2.0, lo, Node.leaf())
    y = JVPBox(3.0, hi, 1.0)
    z = x * y
    assert isinstance(z, JVPBox) and z._level == hi
    inner = z._value  # the primal seen by the higher level is the lower level's box
    assert isinstance(inner, VJPBox) and inner._level == lo
    assert unbox(z) == 6.0
    assert unbox(z._tangent) == 2.0  # d(x*y)/dy * ẏ, a box of the lower level
    assert isinstance(z._tangent, VJPBox)


def test_box_of_box_unboxes_fully():
    lo, hi = new_level(), new_level()
    b = JVPBox(VJPBox(np.float64(5.0), lo, Node.leaf()), hi, 0.0)
    assert unbox(b) == 5.0 and not isinstance(unbox(b), Box)


def test_nested_transforms_do_not_confuse_their_inputs():
    # The inner transform differentiates in y only; x is a constant to it.
    def f(x):
        return wengert.grad(lambda y: x * y * y)(3.0)  # = 6x
    assert wengert.grad(f)(2.0) == pytest.approx(6.0)
    assert wengert.jvp(f, (2.0,), (1.0,))[1] == pytest.approx(6.0)


# -- a counting primitive: each rule is called as often as the algorithm says ------------
def _counting_square():
    calls = {"impl": 0, "jvp": 0, "vjp": 0}

    def impl(x):
        calls["impl"] += 1
        return np.square(x)

    p = wengert.primitive(impl, name="counting_square")

    def jvp_rule(t, ans, x):
        calls["jvp"] += 1
        return 2.0 * x * t

    def vjp_rule(g, ans, x):
        calls["vjp"] += 1
        return 2.0 * x * g

    p.defjvp(jvp_rule)
    p.defvjp(vjp_rule)
    return p, calls


def test_each_node_is_swept_once_even_with_fan_out():
    sq, calls = _counting_square()

    def f(x):
        y = sq(x)            # one node ...
        return y + y * y + wnp.sin(y)  # ... used three times downstream
    g = wengert.grad(f)(1.5)
    y = 1.5 ** 2
    assert g == pytest.approx((1 + 2 * y + np.cos(y)) * 2 * 1.5)
    assert calls == {"impl": 1, "jvp": 0, "vjp": 1}


def test_forward_mode_calls_the_jvp_rule_once_per_application():
    sq, calls = _counting_square()
    out, t = wengert.jvp(lambda x: sq(sq(x)), (2.0,), (1.0,))
    assert out == 16.0 and t == pytest.approx(4 * 2.0 ** 3)
    assert calls == {"impl": 2, "jvp": 2, "vjp": 0}


def test_unreached_nodes_are_not_swept():
    sq, calls = _counting_square()

    def f(x):
        sq(x)  # computed but not used for the output
        return 3.0 * x
    assert wengert.grad(f)(2.0) == 3.0
    assert calls["vjp"] == 0


def test_diamond_graph_accumulates_adjoints():
    def f(x):
        a = wnp.sin(x)
        b = a * a      # two paths from a
        c = a + b
        return c * x
    x = 0.7
    s, c = np.sin(x), np.cos(x)
    expected = (c + 2 * s * c) * x + (s + s * s)
    assert wengert.grad(f)(x) == pytest.approx(expected)
    assert wengert.jvp(f, (x,), (1.0,))[1] == pytest.approx(expected)


def test_multiple_results_primitive():
    @wengert.primitive(multiple_results=True)
    def sincos(x):
        return np.sin(x), np.cos(x)
    sincos.defvjp(lambda g, ans, x: (0.0 if g[0] is None else g[0] * wnp.cos(x))
                  - (0.0 if g[1] is None else g[1] * wnp.sin(x)))
    sincos.defjvp(lambda t, ans, x: (t * wnp.cos(x), -t * wnp.sin(x)))
    x = 0.3
    both = wengert.grad(lambda x: sincos(x)[0] * sincos(x)[1])(x)
    assert both == pytest.approx(np.cos(2 * x))
    only_first = wengert.grad(lambda x: 2.0 * sincos(x)[0])(x)  # cotangent of [1] unset
    assert only_first == pytest.approx(2 * np.cos(x))
    _, t = wengert.jvp(lambda x: sincos(x)[1], (x,), (1.0,))
    assert t == pytest.approx(-np.sin(x))


# -- long chains: the backward sweep is a loop, not a recursion ----------------------------
def _depth() -> int:
    f, n = sys._getframe(), 0
    while f is not None:
        f, n = f.f_back, n + 1
    return n


def test_backward_needs_no_stack_depth():
    """A 20,000-operation chain with the recursion limit barely above the current depth."""
    def f(x):
        for _ in range(20_000):
            x = x * 1.0001
        return x
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 60)
    try:
        g = wengert.grad(f)(1.0)
        t = wengert.jvp(f, (1.0,), (1.0,))[1]
    finally:
        sys.setrecursionlimit(old)
    assert g == pytest.approx(1.0001 ** 20_000, rel=1e-9)
    assert t == pytest.approx(1.0001 ** 20_000, rel=1e-9)


N_LONG = 1_000_000


def test_million_operation_chain_through_grad():
    def f(x):
        for _ in range(N_LONG):
            x = x + 1.0
        return x * x
    start = time.perf_counter()
    g = wengert.grad(f)(0.5)
    elapsed = time.perf_counter() - start
    assert g == 2 * (0.5 + N_LONG)
    assert elapsed < 60  # target is well under 15 s; this only guards against hangs


def test_million_operation_chain_through_backward():
    x = wengert.tensor(0.5, requires_grad=True)
    y = x
    start = time.perf_counter()
    for _ in range(N_LONG):
        y = y + 1.0
    y = y * 2.0
    y.backward()
    del y
    elapsed = time.perf_counter() - start
    assert x.grad.item() == 2.0
    assert elapsed < 60


# -- the graph is freed ------------------------------------------------------------------
def _record_nodes(refs):
    def f(x):
        y = wnp.sin(x) * x
        refs.append(weakref.ref(y._node))
        return wnp.sum(y * y)
    return f


def test_graph_is_freed_after_grad_returns():
    refs: list = []
    wengert.grad(_record_nodes(refs))(np.arange(3.0))
    gc.collect()
    assert refs and refs[0]() is None


def test_graph_lives_as_long_as_the_vjp_function():
    refs: list = []
    out, vjp_fn = wengert.vjp(_record_nodes(refs), np.arange(3.0))
    gc.collect()
    assert refs[0]() is not None
    g1 = vjp_fn(1.0)[0]
    g2 = vjp_fn(2.0)[0]   # the graph can be swept again
    np.testing.assert_allclose(g2, 2 * g1)
    del vjp_fn
    gc.collect()
    assert refs[0]() is None


def test_tensor_graph_freed_by_backward_and_with_its_output():
    x = wengert.tensor([1.0, 2.0], requires_grad=True)
    h = wnp.sin(x) * x
    node_ref = weakref.ref(h._node)
    y = (h * h).sum()
    del h
    y.backward()
    node = node_ref()
    assert node is not None and node.args is None  # saved values dropped after backward
    del node, y
    gc.collect()
    assert node_ref() is None


def test_retain_graph_keeps_saved_values():
    x = wengert.tensor(3.0, requires_grad=True)
    y = x * x * x
    y.backward(retain_graph=True)
    assert y._node.args is not None
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 27.0)


# -- the tape and the adjoint slots -----------------------------------------------------
def test_vjp_function_gives_the_same_result_every_call():
    out, vjp_fn = wengert.vjp(lambda x: wnp.sin(x) * x + x, np.array([0.3, 1.2]))
    first = vjp_fn(np.array([1.0, 2.0]))[0]
    second = vjp_fn(np.array([1.0, 2.0]))[0]
    np.testing.assert_array_equal(first, second)
    x = np.array([0.3, 1.2])
    np.testing.assert_allclose(first, np.array([1.0, 2.0]) * (np.cos(x) * x + np.sin(x) + 1))


def test_a_failed_sweep_leaves_no_adjoints_behind():
    @wengert.primitive
    def fragile(x):
        return 2.0 * x

    def fragile_vjp(g, ans, x):
        if np.any(np.asarray(g) < 0):
            raise ValueError("negative cotangent")
        return 2.0 * g
    fragile.defvjp(fragile_vjp)

    out, vjp_fn = wengert.vjp(lambda x: fragile(x * 3.0) + x, 1.5)
    with pytest.raises(ValueError, match="negative cotangent"):
        vjp_fn(-1.0)
    # the failed sweep's partial adjoints must not leak into the next one
    assert vjp_fn(1.0)[0] == pytest.approx(7.0)
    assert vjp_fn(1.0)[0] == pytest.approx(7.0)


def test_tape_holds_the_level_in_creation_order():
    level = new_level()
    tape: list = []
    x = VJPBox(0.5, level, Node.leaf(), -1, tape)
    y = wnp.sin(x)
    z = y * x + x
    assert [n.prim.name if n.prim else None for n in tape] == [None, "sin", "multiply", "add"]
    assert z._node is tape[-1]


# -- traced Python floats go through math ----------------------------------------------
def test_traced_scalars_match_numpy_and_come_out_as_float64():
    for fn, x in [(wnp.sin, 0.3), (wnp.log, 2.5), (wnp.tanh, -0.7), (wnp.exp, 1.2),
                  (wnp.arccos, 0.4), (wnp.sqrt, 3.0)]:
        value, g = wengert.value_and_grad(fn)(x)
        assert type(value) is np.float64 and type(g) is np.float64
        assert value == pytest.approx(float(fn(np.float64(x))), rel=4e-16, abs=0.0)


def test_traced_scalars_outside_math_domains_behave_like_numpy():
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        assert wengert.value_and_grad(wnp.log)(0.0)[0] == -np.inf
        assert np.isnan(wengert.value_and_grad(wnp.log)(-1.0)[0])
        assert wengert.value_and_grad(wnp.exp)(1000.0)[0] == np.inf
        assert np.isnan(wengert.value_and_grad(wnp.arcsin)(2.0)[0])


def test_rules_on_python_floats_give_inf_like_numpy_instead_of_raising():
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        assert wengert.grad(lambda x: wnp.log(x * 1.0))(0.0) == np.inf
        assert wengert.jvp(wnp.log, (0.0,), (1.0,))[1] == np.inf
        assert wengert.grad(lambda x: 1.0 / x)(0.0) == -np.inf
        assert wengert.grad(lambda x: x / 0)(2.0) == np.inf  # a Python int constant
        assert wengert.grad(lambda x: x / 0.0)(2.0) == np.inf


def test_python_int_constants_keep_the_traced_dtype():
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    for f in (lambda x: x / 4, lambda x: x * 3, lambda x: x - 1, lambda x: 2 * x + 1):
        value, g = wengert.value_and_grad(lambda x: wnp.sum(f(x)))(x32)
        assert g.dtype == np.float32 and value.dtype == np.float32
        np.testing.assert_allclose(value, np.sum(f(x32)), rtol=1e-7)
    assert wengert.grad(lambda x: x / 4)(2.0) == 0.25
    # a traced Python float answers NumPy's scalar methods
    assert wengert.grad(lambda x: x * 2 if (x * 2).item() > 0 else x)(1.5) == 2.0
    # x / 0 in forward mode: an inf tangent, still float32
    with np.errstate(divide="ignore"):
        for zero in (0, 0.0):
            _, t = wengert.jvp(lambda x: x / zero, (x32,), (np.ones(2, np.float32),))
            assert t.dtype == np.float32 and np.all(np.isinf(t))
        steps = wengert.ir.reverse_pass(wengert.trace(lambda x: x / 0, 1.5)).steps
        assert steps[-1].value == np.inf


def test_gradients_of_different_inputs_are_different_arrays():
    """x + y hands one adjoint to both inputs; the gradients returned must still be
    separate arrays, so updating one in place leaves the other alone."""
    ones = np.ones(3)
    for f in (lambda x, y: wnp.sum(x + y), lambda x, y: wnp.sum(wnp.sin(x + y))):
        gx, gy = wengert.grad(f, argnums=(0, 1))(ones, ones)
        assert not np.shares_memory(gx, gy)
        before = gy.copy()
        gx *= 0.5
        np.testing.assert_array_equal(gy, before)
    g = wengert.grad(lambda p: wnp.sum(p["a"] + p["b"]))({"a": ones, "b": ones})
    assert not np.shares_memory(g["a"], g["b"])
    _, vjp_fn = wengert.vjp(lambda x, y: x + y, ones, ones)
    a, b = vjp_fn(np.ones(3))
    assert not np.shares_memory(a, b)


def test_identity_steps_share_their_argument_node_and_stay_exact():
    """x + c and x - c (no broadcasting, same dtype) record no node in reverse mode:
    the answer shares the argument's node; gradients stay exact in every use."""
    import wengert
    import wengert.numpy as wnp
    from wengert.numeric import check_grads

    def f(x):
        y = x + 1.5          # identity step
        z = y * y - 2.0      # another, after a product
        return wnp.sum(z * x + (x - 0.5) * y)
    x0 = np.array([0.3, -1.2, 2.0])
    check_grads(f, (x0,), order=2, modes=("fwd", "rev"))
    np.testing.assert_allclose(wengert.grad(lambda x: x + 1.0)(2.0), 1.0)
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum((x + 1.0) + x))(x0), 2.0)
    # broadcasting or a dtype change is a real node (its VJP sums or casts)
    check_grads(lambda x: wnp.sum((x + np.ones((2, 3))) ** 2), (x0,), order=1)
    g = wengert.grad(lambda x: wnp.sum((x + np.ones(3)) ** 2))(x0.astype(np.float32))
    assert g.dtype == np.float32
    # the tensor API keeps a node per operation (grad_fn, in-place rules)
    t = wengert.tensor([1.0, 2.0], requires_grad=True)
    assert (t + 1.0).grad_fn == "add"


# -- what a node saves -----------------------------------------------------------------
def test_nodes_save_only_what_the_rule_reads_of_large_arrays():
    """Arrays of 4096 entries or more that a VJP rule does not read are saved as their
    shape and dtype only (so they can be freed); small ones are kept whole (cheaper)."""
    from wengert.core.reverse import Meta

    def record(size: int) -> list:
        tape: list = []
        x = VJPBox(np.linspace(-1.0, 1.0, size), new_level(), Node.leaf(), -1, tape)
        half = np.full(size, 0.5)  # an array constant: x * c then is a node
        y = wnp.tanh(wnp.sin(x) * half)    # sin reads x; x * c reads c; tanh reads ans
        wnp.sum(y * np.full(size, 2.0))    # sum: a reduction, reads nothing but shapes
        return tape[1:]

    sin, mul, tanh, mul2, total = record(5000)
    assert type(sin.args[0]) is np.ndarray and type(sin.ans) is Meta
    assert type(mul.args[0]) is Meta and mul.args[1][0] == 0.5 and type(mul.ans) is Meta
    assert type(tanh.args[0]) is Meta and type(tanh.ans) is np.ndarray
    assert type(mul2.args[0]) is Meta and type(mul2.args[1]) is np.ndarray
    assert type(total.args[0]) is Meta and total.args[0].shape == (5000,)
    for node in record(100):
        assert all(type(a) is not Meta for a in node.args) and type(node.ans) is not Meta
    # and the gradients through the trimmed graph are right
    x0 = np.linspace(-1.0, 1.0, 5000)
    g = wengert.grad(lambda x: wnp.sum(wnp.tanh(wnp.sin(x) * 0.5) * 2.0))(x0)
    t = np.tanh(np.sin(x0) * 0.5)
    np.testing.assert_allclose(g, 2.0 * (1 - t * t) * 0.5 * np.cos(x0), rtol=1e-13)


def test_scaled_steps_record_no_node_and_stay_exact():
    """x * c and c * x with a real constant (no broadcasting, same dtype) record no node
    in reverse mode: the answer's box shares x's node and carries c, which multiplies
    the adjoint where it is passed on (to a consumer, or as the output's seed)."""
    from wengert.numeric import check_grads

    level = new_level()
    tape: list = []
    x = VJPBox(np.array([0.5, 1.5]), level, Node.leaf(), -1, tape)
    y = wnp.sin(x) * 3.0
    z = 2 * wnp.tanh(y)
    assert [n.prim.name if n.prim else None for n in tape] == [None, "sin", "tanh"]
    assert y._node is tape[1] and y._scale == 3.0 and z._node is tape[2] and z._scale == 2

    x0 = np.array([0.3, -1.2, 2.0])

    def f(x):
        a = x * 0.5                     # a scaled input
        b = wnp.sin(a) * -2.0           # a scaled intermediate, used twice below
        return wnp.sum(b * b + wnp.exp(b) * 3 + (a + 1.0) * 4.0)
    check_grads(f, (x0,), order=2, modes=("fwd", "rev"))
    s = np.sin(0.5 * x0)
    expected = (2 * (-2 * s) + 3 * np.exp(-2 * s)) * (-2 * np.cos(0.5 * x0)) * 0.5 + 2.0
    np.testing.assert_allclose(wengert.grad(f)(x0), expected, rtol=1e-13)
    # the scaled value as the output: the seed carries the scale
    assert wengert.grad(lambda x: x * 3.0)(2.0) == 3.0
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(x) * 4.0)(x0), 4.0)
    value, vjp_fn = wengert.vjp(lambda x: x * 5.0, x0)
    np.testing.assert_allclose(vjp_fn(np.ones(3))[0], 5.0)
    np.testing.assert_allclose(wengert.jacrev(lambda x: wnp.sin(x) * 2.0)(x0),
                               np.diag(2.0 * np.cos(x0)))
    # an output pytree of scaled values, and a scaled value of a multiple-output primitive
    g = wengert.grad(lambda x: wnp.sum(wnp.split(x, 3)[1] * 7.0))(x0)
    np.testing.assert_allclose(g, [0.0, 7.0, 0.0])
    # dtypes: float32 stays float32; complex x with a real constant; c = 0 and inf
    g32 = wengert.grad(lambda x: wnp.sum(wnp.sin(x * 2.0) * 3))(x0.astype(np.float32))
    assert g32.dtype == np.float32
    z0 = np.array([1 + 1j, 2 - 1j])
    gz = wengert.grad(lambda z: wnp.sum(wnp.sin(z * 2.0)), holomorphic=True)(z0)
    np.testing.assert_allclose(gz, 2.0 * np.cos(2.0 * z0))
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(wnp.sin(x) * 0.0))(x0), 0.0)
    # nested: the inner level's scaled box inside an outer transform
    d2 = wengert.grad(lambda x: wengert.grad(lambda y: wnp.sin(y) * 3.0 * x)(x))(1.0)
    assert d2 == pytest.approx(3.0 * (np.cos(1.0) - np.sin(1.0)), rel=1e-14)
    # the tensor API keeps a node per operation
    t = wengert.tensor([1.0, 2.0], requires_grad=True)
    assert (t * 2.0).grad_fn == "multiply"
