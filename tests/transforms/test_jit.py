"""wengert.jit: caching, guards, composition with the other transforms, the views."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import grad, hessian, jit, jvp, value_and_grad
from wengert.ir import compile as jit_compile
from wengert.transforms.jit import JitRetraceWarning


def f_seed(x1, x2):
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)


def zygote_f(a):  # the textbook's (Zygote chapter) control flow
    b = 2 * a
    while wnp.sqrt(wnp.sum(b * b)) < 1000:
        b = 2 * b
    c = b if wnp.sum(b) > 0 else 100 * b
    return c


def blog_f(x):  # the blog's function that symbolic differentiation cannot handle
    if x > 2:
        return x * 2 + 5
    return x / 2 + 5


# -- values and the cache ----------------------------------------------------------------
def test_seed_value_and_gradient_equal_eager():
    vg = value_and_grad(f_seed, argnums=(0, 1))
    jvg = jit(vg)
    for _ in range(2):  # the trace, then the compiled program
        value, (g1, g2) = jvg(2.0, 5.0)
        assert value == vg(2.0, 5.0)[0] and type(value) is np.float64
        assert (g1, g2) == pytest.approx(vg(2.0, 5.0)[1], rel=1e-15)
    assert jit(f_seed)(2.0, 5.0) == pytest.approx(11.652071455223084, rel=1e-15)
    info = jvg.cache_info()
    assert (info.traces, info.hits, info.guard_failures) == (1, 1, 0)


def test_later_calls_run_only_the_generated_code():
    calls = []

    def f(x):
        calls.append(1)
        return wnp.sum(wnp.tanh(x) ** 2)

    jf = jit(f)
    x = np.linspace(-1, 1, 5)
    for k in range(4):
        assert jf(x * k) == pytest.approx(f(x * k))
    assert len(calls) == 1 + 4  # one trace, then the eager reference calls only


def test_cache_keyed_on_shape_dtype_structure_and_scalar_type():
    jf = jit(lambda p: wnp.sum(p["w"] * 2.0) + p["b"])
    p64 = {"w": np.ones(3), "b": 1.0}
    assert jf(p64) == 7.0
    assert jf({"w": np.ones(4), "b": 1.0}) == 9.0          # new shape
    out32 = jf({"w": np.ones(3, np.float32), "b": np.float32(1.0)})
    assert out32 == 7.0 and np.result_type(out32) == np.float32  # new dtype, not stale
    assert jf({"w": np.ones(3), "b": np.float64(1.0)}) == 7.0     # np.float64, not float
    assert jf.cache_info().traces == 4
    assert jf(p64) == 7.0 and jf.cache_info().traces == 4
    g = jit(lambda xs: sum(wnp.sum(x) for x in xs))
    assert g((np.ones(2), np.ones(2))) == 4.0 and g([np.ones(2), np.ones(2)]) == 4.0
    assert g.cache_info().traces == 2                           # tuple vs list


def test_static_arguments_are_part_of_the_key():
    def power_sum(x, n, *, scale=1.0):
        y = x
        for _ in range(n - 1):
            y = y * x
        return wnp.sum(y) * scale

    jf = jit(power_sum, static_argnums=1, static_argnames="scale")
    x = np.array([1.0, 2.0])
    assert jf(x, 2) == 5.0 and jf(x, 3) == 9.0 and jf(x, 3, scale=2.0) == 18.0
    assert jf(x, 3) == 9.0
    assert jf.cache_info().traces == 3
    by_name = jit(power_sum, static_argnames="n")
    assert by_name(x, 3) == 9.0 and by_name(x, n=2) == 5.0


def test_unhashable_static_argument_is_a_clear_type_error():
    jf = jit(lambda x, sizes: x * len(sizes), static_argnums=1)
    with pytest.raises(TypeError, match=r"static argument 1 \('sizes'\) is a list.*hashable"):
        jf(1.0, [1, 2])
    assert jf(1.0, (1, 2)) == 2.0


def test_non_array_argument_asks_for_static():
    with pytest.raises(TypeError, match="static_argnums"):
        jit(lambda x, mode: x)(1.0, "fast")


def test_returned_arrays_are_fresh():
    const = np.arange(3.0)
    jf = jit(lambda x: (x * 2.0, const))
    a, c = jf(np.ones(3))
    c[0] = 99.0
    a2, c2 = jf(np.ones(3))
    assert c2[0] == 0.0 and const[0] == 0.0


def test_python_float_errors_fall_back_to_numpy_semantics():
    jf = jit(lambda x: wnp.log(x) + 1.0 / x)
    assert jf(2.0) == pytest.approx(np.log(2.0) + 0.5)
    with np.errstate(all="ignore"):
        assert np.isnan(jf(-1.0)) and jit(lambda x: 1.0 / x)(0.0) == np.inf
        assert np.isinf(jit(grad(lambda x: 1.0 / x))(0.0))


# -- guards --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda f: jit(f), lambda f: jit(jit(f))])
def test_textbook_control_flow_values(make):
    jf = make(zygote_f)
    rng = np.random.default_rng(0)
    points = [0.3, -0.7, 3.0, 0.3, *rng.standard_normal(4), -0.7]
    for a in points:
        assert jf(a) == zygote_f(a)
    info = jf.cache_info()
    assert info.guard_failures > 0 and info.programs == info.traces <= 8


def test_textbook_control_flow_gradients_both_ways():
    jg = jit(grad(zygote_f))
    gj = grad(jit(zygote_f))
    tj = jit(lambda a: jvp(zygote_f, (a,), (1.0,)))
    for a in [0.3, -0.7, 3.0, 0.3, -0.01, 250.0, -0.7]:
        expected = grad(zygote_f)(a)
        assert expected == pytest.approx(zygote_f(a) / a, rel=1e-14)
        assert jg(a) == expected and gj(a) == expected
        assert tj(a)[1] == expected
        assert jvp(jit(zygote_f), (a,), (1.0,))[1] == expected
    assert jg.cache_info().guard_failures > 0


def test_blog_if_function_retraces_and_keeps_both_programs():
    jf, jg, gj = jit(blog_f), jit(grad(blog_f)), grad(jit(blog_f))
    for x in [3.0, 1.0, 3.5, 0.5, 2.0, 2.5]:
        assert jf(x) == blog_f(x)
        assert jg(x) == grad(blog_f)(x) == gj(x)
    info = jf.cache_info()
    assert info.traces == 2 and info.programs == 2 and info.guard_failures >= 2
    src = jf.lower(3.0)
    assert src.guards and "raise _GuardFailed" in str(src)


def test_range_of_a_traced_integer_is_a_guard():
    def f(x, n):
        for _ in range(n):
            x = x * 2.0
        return x

    jf = jit(f)
    assert jf(1.0, 3) == 8.0 and jf(1.0, 4) == 16.0 and jf(1.0, 3) == 8.0
    assert jf.cache_info().traces == 2
    assert jit(lambda x: x * float(x))(3.0) == 9.0  # float() under jit alone: a guard


def test_float_of_a_differentiated_value_is_refused_as_eagerly():
    f = jit(lambda x: x * float(x))
    with pytest.raises(TypeError, match="drop its derivative"):
        grad(f)(3.0)
    with pytest.raises(TypeError, match="drop its derivative"):
        jit(grad(lambda x: x * float(x)))(3.0)
    g = jit(lambda x: x * float(wengert.stop_gradient(x)))
    assert grad(g)(3.0) == 3.0


def test_bounded_cache_warns_naming_the_function():
    def keeps_changing(x):
        return x * int(x)

    jf = jit(keeps_changing, max_programs=3)
    with pytest.warns(JitRetraceWarning, match="keeps_changing"):
        for k in range(1, 7):
            assert jf(float(k)) == k * k
    assert jf.cache_info().programs == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jf(6.0) == 36.0  # still cached; the warning is given once


def test_too_many_signatures_warn_and_keep_the_recent_ones():
    def by_shape(x):
        return wnp.sum(x)

    jf = jit(by_shape, max_signatures=2)
    with pytest.warns(JitRetraceWarning, match="by_shape keeps retracing.*signatures"):
        for n in range(1, 5):
            assert jf(np.ones(n)) == n
    assert jf.cache_info().signatures == 2


# -- composition ---------------------------------------------------------------------------
def test_grad_of_jit_and_jit_of_grad_and_nested():
    def f(x):
        return wnp.sum(wnp.tanh(x) * wnp.exp(-x * x))

    x = np.linspace(-1.5, 1.5, 7)
    g = grad(f)(x)
    np.testing.assert_allclose(jit(grad(f))(x), g, rtol=1e-13)
    np.testing.assert_allclose(grad(jit(f))(x), g, rtol=1e-13)
    np.testing.assert_allclose(jit(grad(jit(f)))(x), g, rtol=1e-13)
    np.testing.assert_allclose(grad(grad(jit(lambda s: f(s * x))))(0.7),
                               grad(grad(lambda s: f(s * x)))(0.7), rtol=1e-12)
    y, t = jvp(jit(f), (x,), (np.ones(7),))
    np.testing.assert_allclose(t, g @ np.ones(7), rtol=1e-13)
    np.testing.assert_allclose(jit(hessian(f))(x), hessian(f)(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hessian(jit(f))(x), hessian(f)(x), rtol=1e-12, atol=1e-14)


def test_custom_rules_survive_compilation_both_ways():
    @wengert.custom_vjp
    def f(x):
        return wnp.sin(x)

    f.defvjp(lambda x: (wnp.sin(x), x), lambda x, g: (g * 100.0,))

    @wengert.custom_jvp
    def h(x):
        return wnp.exp(x)

    h.defjvp(lambda primals, tangents: (h(primals[0]), tangents[0] * 7.0))
    loss = lambda x: wnp.sum(f(x) * x)  # noqa: E731
    x = np.linspace(0, 1, 3)
    expected = grad(loss)(x)
    np.testing.assert_allclose(jit(grad(loss))(x), expected, rtol=1e-15)
    np.testing.assert_allclose(grad(jit(loss))(x), expected, rtol=1e-15)
    assert jvp(jit(h), (1.0,), (1.0,))[1] == 7.0
    assert jit(lambda x: jvp(h, (x,), (1.0,)))(1.0)[1] == 7.0


def test_tensors_flow_through_a_jitted_function():
    f = jit(lambda x: wnp.sum(wnp.tanh(x) * 2.0))
    t = wengert.tensor(np.ones(3), requires_grad=True)
    y = f(t)
    y.backward()
    np.testing.assert_allclose(t.grad.numpy(), 2 * (1 - np.tanh(1.0) ** 2) * np.ones(3))


def test_jit_of_a_method_and_a_decorator_with_options():
    class Model:
        def __init__(self) -> None:
            self.w = np.array([1.0, -2.0])

        @jit(static_argnums=0)  # as in JAX: self is a setting, hashed by identity
        def loss(self, x):
            return wnp.sum((x * self.w) ** 2)

    @jit(static_argnums=(1,))
    def scaled(x, k):
        return x * k

    assert Model.loss(Model(), np.ones(2)) == 5.0
    assert scaled(2.0, 3) == 6.0


# -- scale, chunks, buffers ----------------------------------------------------------------
def test_a_3000_op_unrolled_loop():
    def f(x):
        for _ in range(750):
            x = wnp.sin(x) * 1.0001 + 1e-6
            x = wnp.tanh(x)
        return x

    vg = jit(value_and_grad(f))
    assert vg(0.5) == value_and_grad(f)(0.5)
    assert vg(0.5) == value_and_grad(f)(0.5)
    assert vg.program(0.5).stats.before >= 3000


def test_chunked_programs_with_guards_inside(monkeypatch):
    monkeypatch.setattr(jit_compile, "CHUNK", 7)
    jf = jit(zygote_f)
    jg = jit(grad(zygote_f))
    for a in [0.3, -0.7, 0.3, 12.0]:
        assert jf(a) == zygote_f(a) and jg(a) == grad(zygote_f)(a)
    assert "def _chunk1(" in str(jf.lower(0.3))


def test_dead_buffers_are_reused_and_views_are_respected():
    x = np.linspace(-1, 1, 4096).reshape(64, 64)

    def f(x):
        y = wnp.exp(x)
        yt = y.T                      # a view of y's buffer, read after y's last use
        z = wnp.sin(y) * 2.0
        return wnp.sum(z * yt + wnp.tanh(z))

    vg = jit(value_and_grad(f))
    expected = value_and_grad(f)(x)
    for _ in range(2):
        v, g = vg(x)
        assert v == pytest.approx(expected[0], rel=1e-13)
        np.testing.assert_allclose(g, expected[1], rtol=1e-13)
    assert "out=" in str(vg.lower(x))
    np.testing.assert_array_equal(x, np.linspace(-1, 1, 4096).reshape(64, 64))  # input intact


# -- seeing it -----------------------------------------------------------------------------
def test_lower_shows_the_program_and_its_guards():
    jf = jit(blog_f)
    src = jf.lower(3.0)
    assert isinstance(src, wengert.ir.Source)
    text = str(src)
    assert text.startswith("# guards: bool(") and "def blog_f_jit(a0)" in text
    assert src._repr_markdown_().startswith("```python")
    assert src.compile()(3.0) == 11.0
    with pytest.raises(jit_compile.GuardFailed):
        src.compile()(1.0)  # the program of the other path refuses
