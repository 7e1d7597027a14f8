"""The backward pass reuses memory only where nobody else can see it.

On large arrays a one-use sweep (``grad``, ``value_and_grad``) lets elementwise rules
write ``ḡ·f'(v)`` into the adjoint or into a saved value the graph no longer needs,
when reference counts prove them private.  These tests hold on to every array that
must not change (inputs, auxiliary outputs, values read twice, retained graphs, hooks,
leaves sharing an adjoint) and check values and gradients against NumPy.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.core.tracing import EXACT_REFCOUNTS

N = 6000  # above the 4,096 entries where large-array paths start


def _x(seed: int = 0, n: int = N) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, n)


def _chain_grad(x: np.ndarray) -> np.ndarray:
    """d/dx sum(tanh(sin(x) * 0.9 + 0.1)), by hand."""
    t = np.tanh(np.sin(x) * 0.9 + 0.1)
    return (1 - t * t) * 0.9 * np.cos(x)


def test_chain_gradient_and_inputs_untouched():
    x = _x()
    keep = x.copy()
    value, g = wengert.value_and_grad(lambda v: wnp.sum(wnp.tanh(wnp.sin(v) * 0.9 + 0.1)))(x)
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_allclose(g, _chain_grad(x), rtol=1e-13)
    np.testing.assert_allclose(value, np.sum(np.tanh(np.sin(x) * 0.9 + 0.1)), rtol=1e-13)


def test_auxiliary_outputs_and_escaped_values_stay_intact():
    x = _x(1)
    escaped = []

    def f(v):
        t = wnp.tanh(v)
        s = wnp.sin(t)
        escaped.append(wengert.stop_gradient(t))  # the user keeps an intermediate
        return wnp.sum(s * 2.0), (t, s)

    (value, (t, s)), g = wengert.value_and_grad(f, has_aux=True)(x)
    np.testing.assert_allclose(t, np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(s, np.sin(np.tanh(x)), rtol=1e-15)
    np.testing.assert_allclose(escaped[0], np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(g, 2.0 * np.cos(np.tanh(x)) * (1 - np.tanh(x) ** 2), rtol=1e-13)


def test_values_read_by_two_rules_and_shared_adjoints():
    x = _x(2)

    def f(v):
        t = wnp.tanh(v)              # t is tanh's answer and read again below
        u = wnp.exp(t * 0.5)         # exp's answer is its own derivative
        return wnp.sum(u + wnp.sin(t) * t + u * 3.0)

    g = wengert.grad(f)(x)
    t = np.tanh(x)
    u = np.exp(t * 0.5)
    dt = 4.0 * u * 0.5 + np.cos(t) * t + np.sin(t)
    np.testing.assert_allclose(g, dt * (1 - t * t), rtol=1e-12)


def test_x_times_x_and_fan_out_of_the_adjoint():
    x = _x(3)
    g = wengert.grad(lambda v: wnp.sum(wnp.sin(v) * wnp.sin(v) + v * 2.0))(x)
    np.testing.assert_allclose(g, 2 * np.sin(x) * np.cos(x) + 2.0, rtol=1e-12)
    # one adjoint flowing unchanged to two consumers (x + c passes it through)
    g = wengert.grad(lambda v: wnp.sum(wnp.tanh((v + 1.0) * 0.5) + wnp.sin(v + 1.0)))(x)
    t = np.tanh((x + 1.0) * 0.5)
    np.testing.assert_allclose(g, (1 - t * t) * 0.5 + np.cos(x + 1.0), rtol=1e-12)


def test_retained_graph_gives_the_same_result_every_call():
    x = _x(4)
    # the graph keeps tanh's answer (only it holds it) for every call of vjp_fn
    out, vjp_fn = wengert.vjp(lambda v: wnp.sum(wnp.tanh(wnp.sin(v) * 0.9 + 0.1)), x)
    first = vjp_fn(1.0)[0].copy()
    second = vjp_fn(1.0)[0]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, _chain_grad(x), rtol=1e-13)
    out, vjp_fn = wengert.vjp(lambda v: wnp.tanh(wnp.sin(v) * 0.9 + 0.1), x)
    ct = np.ones(N)
    np.testing.assert_allclose(vjp_fn(ct)[0], _chain_grad(x), rtol=1e-13)
    np.testing.assert_allclose(out, np.tanh(np.sin(x) * 0.9 + 0.1), rtol=1e-15)
    np.testing.assert_array_equal(ct, np.ones(N))  # the cotangent was not written into


@pytest.mark.parametrize("f", [wnp.sin, wnp.cos, wnp.log, wnp.sinh, wnp.exp, wnp.tanh])
def test_values_only_the_retained_graph_holds_are_not_written_into(f):
    """sin's saved input here is v * 2.0, which nothing but the graph holds (the product
    itself keeps no answer): every reuse of the graph must find it unchanged."""
    x = np.linspace(0.1, 1.0, N)

    def loss(v):
        return wnp.sum(f(v * 2.0))

    exact = wengert.grad(loss)(x)
    _, vjp_fn = wengert.vjp(loss, x)
    np.testing.assert_array_equal(vjp_fn(1.0)[0], exact)
    np.testing.assert_array_equal(vjp_fn(1.0)[0], exact)
    t = wengert.tensor(x.copy(), requires_grad=True)
    out = loss(t)
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_allclose(t.grad.data, 2 * exact, rtol=1e-15)
    J = wengert.jacrev(lambda v: wnp.sum(f(v * 2.0).reshape(2, -1), axis=1))(x)
    np.testing.assert_allclose(J.sum(axis=0), exact, rtol=1e-15)


def test_second_order_through_a_large_scaled_step():
    x = np.linspace(0.1, 1.0, N)
    inner = lambda w: wengert.grad(lambda v: wnp.sum(v * w * 2.0))(x)  # noqa: E731
    assert wengert.grad(lambda w: wnp.sum(inner(w)))(1.5) == pytest.approx(2.0 * N)
    assert wengert.jacfwd(lambda w: wnp.sum(inner(w)))(1.5) == pytest.approx(2.0 * N)


def test_tensor_api_hooks_and_retain_graph():
    x = wengert.tensor(_x(5), requires_grad=True)
    seen = []
    y = wnp.tanh(wnp.sin(x) * 0.9 + 0.1)
    y.register_hook(lambda g: seen.append(g))
    loss = wnp.sum(y * 2.0)
    loss.backward(retain_graph=True)
    first = np.array(x.grad)
    hooked = np.array(seen[0])
    loss.backward()
    np.testing.assert_allclose(first, 2.0 * _chain_grad(x.data), rtol=1e-13)
    np.testing.assert_allclose(np.array(x.grad), 2 * first, rtol=1e-13)
    np.testing.assert_array_equal(seen[0], hooked)  # what a hook kept was not reused
    np.testing.assert_allclose(y.data, np.tanh(np.sin(x.data) * 0.9 + 0.1), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_dtypes_views_and_broadcast_seeds(dtype):
    x = (_x(6, 2 * N) + (0.3j if dtype == np.complex128 else 0)).astype(dtype)
    view = x[::2]                 # a strided view: never written into
    keep = view.copy()
    f = (lambda v: wnp.sum(wnp.sin(v) * 2.0).real) if dtype == np.complex128 \
        else (lambda v: wnp.sum(wnp.sin(v) * 2.0))
    g = wengert.grad(f)(view)
    np.testing.assert_array_equal(view, keep)
    assert g.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(g, 2.0 * np.cos(keep), rtol=tol)
    # a 2-D input summed along an axis: the adjoint arrives as a broadcast view
    m = _x(7, N).reshape(60, 100).astype(dtype)
    f2 = (lambda v: wnp.sum(wnp.sum(wnp.tanh(v), axis=0) ** 2).real)
    g2 = wengert.grad(f2)(m)
    t = np.tanh(m)
    expected = 2 * np.sum(t, axis=0) * (1 - t * t)
    np.testing.assert_allclose(g2, expected, rtol=1e-4 if dtype == np.float32 else 1e-12)


def test_forward_mode_never_writes_into_its_answers():
    x = _x(8)
    out, tangent = wengert.jvp(lambda v: wnp.tanh(wnp.exp(v) * 0.5), (x,), (np.ones(N),))
    np.testing.assert_allclose(out, np.tanh(np.exp(x) * 0.5), rtol=1e-15)
    t = np.tanh(np.exp(x) * 0.5)
    np.testing.assert_allclose(tangent, (1 - t * t) * 0.5 * np.exp(x), rtol=1e-13)


def test_higher_order_through_large_arrays():
    x = _x(9, 5000)
    hvp = wengert.grad(lambda v: wnp.sum(wengert.grad(lambda w: wnp.sum(wnp.sin(w) * 3.0))(v)))
    np.testing.assert_allclose(hvp(x), -3.0 * np.sin(x), rtol=1e-13)


# Python 3.10 holds one more reference to a call's arguments, so the counts never prove
# an array private there: the reuse (not the correctness above) needs 3.11 to 3.13.
@pytest.mark.skipif(not EXACT_REFCOUNTS or sys.version_info < (3, 11),
                    reason="in-place reuse needs CPython 3.11-3.13's exact reference counts")
def test_large_elementwise_steps_reuse_memory():
    """The reuse itself: sum(exp(exp(exp(x)))) keeps three answers; its backward steps
    ḡ·ans write into the released answer or the adjoint, so the peak stays at the three
    saved arrays instead of needing a fourth for each product."""
    import tracemalloc
    x = _x(10, 100_000)
    f = wengert.value_and_grad(lambda v: wnp.sum(wnp.exp(wnp.exp(wnp.exp(v)))))
    value, g = f(x)
    e1 = np.exp(x)
    e2 = np.exp(e1)
    np.testing.assert_allclose(g, np.exp(e2) * e2 * e1, rtol=1e-13)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        f(x)
        peak = (tracemalloc.get_traced_memory()[1] - base) / x.nbytes
    finally:
        tracemalloc.stop()
    assert peak < 3.5  # without the reuse: 4 arrays


def test_scaled_steps_on_large_arrays():
    """x * c records no node: the consumer's contribution is multiplied by c on its way
    to x's node, in place when only the sweep holds it; every reuse stays exact."""
    x = _x(11)

    def loss(v):
        a = v * 0.5
        return wnp.sum(wnp.tanh(a) * 3.0 + (a + 1.0) * 2 + wnp.sin(a) * a)

    a = 0.5 * x
    expected = 0.5 * (3.0 * (1 - np.tanh(a) ** 2) + 2 + np.cos(a) * a + np.sin(a))
    np.testing.assert_allclose(wengert.grad(loss)(x), expected, rtol=1e-13)
    _, vjp_fn = wengert.vjp(loss, x)
    np.testing.assert_array_equal(vjp_fn(1.0)[0], vjp_fn(1.0)[0])
    np.testing.assert_allclose(vjp_fn(1.0)[0], expected, rtol=1e-13)
    keep = x.copy()
    g = wengert.grad(lambda v: wnp.sum((v + 0.0) * 2.0))(x)  # add passes g on unchanged
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_allclose(g, 2.0)
