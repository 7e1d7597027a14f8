"""Activations: values and derivatives against their closed forms, including extremes."""

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import nn

X = np.array([-1e4, -3.0, -0.5, 0.0, 0.5, 3.0, 1e4])


def deriv(f, x):
    return wengert.grad(lambda x: wnp.sum(f(x)))(x)


def sig(x):
    e = np.exp(-np.abs(x))          # never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_relu():
    np.testing.assert_array_equal(nn.relu(X), np.maximum(X, 0))
    np.testing.assert_array_equal(deriv(nn.relu, X), (X > 0).astype(float))


def test_relu_second_derivative_is_zero_and_forward_mode_agrees():
    x = np.array([-2.0, 1.5])
    np.testing.assert_array_equal(wengert.grad(lambda x: wnp.sum(wengert.grad(
        lambda x: wnp.sum(nn.relu(x)))(x) * x))(x), [0.0, 1.0])
    _, t = wengert.jvp(nn.relu, (x,), (np.array([3.0, 4.0]),))
    np.testing.assert_array_equal(t, [0.0, 4.0])


def test_sigmoid():
    s = sig(X)
    np.testing.assert_allclose(nn.sigmoid(X), s, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(deriv(nn.sigmoid, X), s * (1 - s), rtol=1e-9, atol=1e-300)


def test_softplus_is_finite_with_sigmoid_derivative():
    v = nn.softplus(X)
    assert np.isfinite(v).all()
    assert v[-1] == 1e4 and v[0] == 0.0
    np.testing.assert_allclose(v[1:-1], np.log1p(np.exp(X[1:-1])), rtol=1e-12)
    np.testing.assert_allclose(deriv(nn.softplus, X), sig(X), rtol=1e-12, atol=1e-300)


def test_tanh():
    np.testing.assert_allclose(deriv(nn.tanh, X), 1 - np.tanh(X) ** 2, atol=1e-15)


def test_gelu_tanh_approximation_and_derivative():
    c = np.sqrt(2 / np.pi)
    u = c * (X + 0.044715 * X ** 3)
    expected = 0.5 * X * (1 + np.tanh(u))
    np.testing.assert_allclose(nn.gelu(X), expected, rtol=1e-12)
    d = 0.5 * (1 + np.tanh(u)) + 0.5 * X * (1 - np.tanh(u) ** 2) * c * (1 + 3 * 0.044715 * X ** 2)
    np.testing.assert_allclose(deriv(nn.gelu, X[1:-1]), d[1:-1], rtol=1e-12)
    assert nn.gelu(np.array(0.0)) == 0.0


def test_lookup_by_name():
    assert nn.get_activation("relu") is nn.relu
    with pytest.raises(ValueError, match="unknown activation"):
        nn.get_activation("swish")
