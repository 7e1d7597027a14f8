"""NumPy functions applied to traced values: routed to wengert.numpy, or refused
with a message that says what to do instead."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import grad, jvp


def _spy(monkeypatch, name):
    calls = []
    original = getattr(wnp, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)
    monkeypatch.setattr(wnp, name, spy)
    return calls


def test_numpy_ufunc_on_traced_value_routes_to_wnp(monkeypatch):
    calls = _spy(monkeypatch, "sin")
    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(lambda x: wnp.sum(np.sin(x)))(x), np.cos(x))
    assert calls == ["sin"]
    assert jvp(np.sin, (0.3,), (1.0,))[1] == pytest.approx(np.cos(0.3))
    assert calls == ["sin", "sin"]


def test_numpy_function_on_traced_value_routes_to_wnp(monkeypatch):
    calls = _spy(monkeypatch, "sum")
    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(lambda x: np.sum(x * x))(x), 2 * x)
    assert calls == ["sum"]


@pytest.mark.parametrize("f,df", [
    (lambda x: np.mean(np.exp(x)), lambda x: np.exp(x) / 2),
    (lambda x: np.dot(x, x), lambda x: 2 * x),
    (lambda x: np.ones(2) @ (x * x), lambda x: 2 * x),          # plain array on the left
    (lambda x: np.sum(np.ones(2) * x), lambda x: np.ones(2)),
    (lambda x: np.sum(np.maximum(x, 0.15)), lambda x: (x > 0.15).astype(float)),
    (lambda x: np.sum(np.where(x > 0.15, x * x, 0.0)), lambda x: np.where(x > 0.15, 2 * x, 0)),
    (lambda x: np.sum(np.concatenate([x, 3 * x])), lambda x: np.full(2, 4.0)),
    (lambda x: np.prod(np.stack([x, x])), lambda x: 2 * x * np.prod(x) ** 2 / x ** 2),
    (lambda x: np.linalg.norm(x), lambda x: x / np.linalg.norm(x)),
])
def test_common_numpy_calls_are_differentiable(f, df):
    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(f)(x), df(x), rtol=1e-12)
    _, t = jvp(f, (x,), (np.array([1.0, 0.0]),))
    assert t == pytest.approx(df(x)[0], rel=1e-12)


def test_inplace_update_of_numpy_array_by_traced_value_is_refused():
    def f(x):
        acc = np.zeros(3)
        acc += x
        return wnp.sum(acc)
    with pytest.raises(TypeError, match=r"in-place.*x = x \+ v"):
        grad(f)(np.ones(3))
    with pytest.raises(TypeError, match="in-place"):
        grad(lambda x: wnp.sum(np.multiply(x, 2.0, out=np.zeros(3))))(np.ones(3))

    def functional(x):
        acc = np.zeros(3)
        acc = acc + x
        return wnp.sum(acc)
    np.testing.assert_allclose(grad(functional)(np.ones(3)), np.ones(3))


def test_item_assignment_is_refused_and_the_suggested_alternative_works():
    def f(x):
        x[1] = 5.0
        return wnp.sum(x)
    with pytest.raises(TypeError, match=r"in-place.*wengert\.numpy\.at\(x\)\[idx\]\.set"):
        grad(f)(np.ones(3))

    def g(x):
        y = wnp.at(x)[1].set(5.0)          # what the message suggests
        return wnp.sum(y * x)              # x0² + 5 x1 + x2²
    np.testing.assert_allclose(grad(g)(np.array([1.0, 2.0, 3.0])), [2.0, 5.0, 6.0])


def test_conversion_to_plain_array_is_refused():
    with pytest.raises(TypeError, match=r"drop its derivative.*stop_gradient"):
        grad(lambda x: np.asarray(x).sum())(np.ones(2))
    np.testing.assert_allclose(
        grad(lambda x: wnp.sum(x * np.asarray(wengert.stop_gradient(x))))(np.ones(2)),
        np.ones(2))


UNSUPPORTED = [("i0", lambda x: np.i0(x)), ("spacing", lambda x: np.spacing(x)),
               ("frexp", lambda x: np.frexp(x)[0]), ("nextafter", lambda x: np.nextafter(x, 2.0))]


@pytest.mark.parametrize("name,call", UNSUPPORTED, ids=[n for n, _ in UNSUPPORTED])
def test_unsupported_numpy_function_names_itself_and_how_to_register(name, call):
    if name in wnp.__dict__:
        pytest.skip(f"wengert.numpy.{name} has a rule now")
    with pytest.raises(TypeError, match=rf"{name}.*no derivative rule.*wengert\.primitive"):
        grad(lambda x: wnp.sum(call(x)))(np.array([0.5, 1.5]))
    with pytest.raises(TypeError, match=rf"{name}.*no derivative rule"):
        jvp(call, (np.array([0.5, 1.5]),), (np.ones(2),))


def test_unsupported_function_still_works_on_plain_arrays():
    np.testing.assert_allclose(wnp.i0(np.array([0.0])), [1.0])


def test_registering_a_rule_as_the_message_says():
    p = wengert.primitive(np.nan_to_num)
    p.defvjp(lambda g, ans, x: g * wnp.isfinite(x))
    p.defjvp(lambda t, ans, x: t * wnp.isfinite(x))
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(grad(lambda x: wnp.sum(p(x) * x))(x), 2 * x)
    assert jvp(lambda x: wnp.sum(p(x)), (x,), (np.ones(2),))[1] == 2.0


def test_traced_values_behave_like_arrays():
    def f(x):
        assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
        assert x.dtype == np.float64
        rows = [r for r in x]
        return wnp.sum(rows[0] * rows[1]) + wnp.sum(x.T @ x) + x.reshape(6)[0] + x.mean()
    x = np.arange(6.0).reshape(2, 3)
    g = grad(f)(x)
    expected = np.vstack([x[1], x[0]]) + 2 * x @ np.ones((3, 3))
    expected[0, 0] += 1
    expected += 1 / 6
    np.testing.assert_allclose(g, expected)


def test_array_methods_of_traced_values():
    z = np.array([1.0 + 2.0j, -0.5 + 0.3j])
    for method in ("conj", "conjugate"):
        g = wengert.grad(lambda z: wnp.real(wnp.sum(getattr(z, method)() * z)))(z)
        np.testing.assert_allclose(g, 2 * np.conj(z))  # d|z|² in JAX's convention
    x = np.array([1.5, 2.2, 3.7])
    # repeat, take and round are the wengert.numpy functions of the array
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(x.repeat(2, axis=0)))(x),
                               [2.0, 2.0, 2.0])
    np.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(x.take([0, 0, 2]) * x[1]))(x),
                               [2 * 2.2, 1.5 + 1.5 + 3.7, 2.2])
    np.testing.assert_array_equal(wengert.grad(lambda x: x.round(1).sum())(x), np.zeros(3))
    value, _ = wengert.value_and_grad(lambda x: x.sum() * x.argmax() + x.any() + x.all())(x)
    assert value == 2 * x.sum() + 2
    with pytest.raises(TypeError, match=r"ndarray.sort .* `wengert.numpy.sort"):
        wengert.grad(lambda x: x.sort())(x)
    with pytest.raises(TypeError, match=r"ndarray.fill"):
        wengert.grad(lambda x: x.fill(0.0))(x)


def test_lexsort_of_traced_keys_is_plain_indices():
    x = np.array([3.0, 1.0, 2.0, 1.0])
    y = np.array([1.0, 2.0, 1.0, 1.0])
    order = np.lexsort((x, y))

    def f(x):
        idx = wnp.lexsort((x, y))
        np.testing.assert_array_equal(idx, order)
        return wnp.sum(x[idx] * np.arange(4.0))
    np.testing.assert_array_equal(wengert.grad(f)(x), np.argsort(order).astype(float))


def test_bincount_and_histogram_weights_are_differentiable():
    idx = np.array([0, 2, 2, 1])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    g = wengert.grad(lambda w: wnp.sum(wnp.bincount(idx, w) ** 2))(w)
    np.testing.assert_allclose(g, 2 * np.bincount(idx, w)[idx])  # [2, 10, 10, 8]
    data = np.array([0.1, 0.2, 0.7, 0.9])
    g = wengert.grad(lambda w: wnp.histogram(data, bins=2, weights=w)[0][1])(w)
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 1.0])
    t = wengert.tensor(w, requires_grad=True)
    wnp.sum(wnp.bincount(idx, t)).backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones(4))
