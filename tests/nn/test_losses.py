"""Losses: values and gradients against closed forms, stability at huge logits."""

import numpy as np
import pytest

import wengert
from wengert import nn


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_uniform_logits_give_log_num_classes():
    z = np.zeros((2, 3))
    assert nn.softmax_cross_entropy(z, np.array([0, 2])) == pytest.approx(np.log(3))


def test_matches_definition_for_moderate_logits():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 4))
    y = np.array([0, 3, 1, 1, 2])
    expected = -np.mean(np.log(np.exp(z[np.arange(5), y]) / np.exp(z).sum(axis=1)))
    assert nn.softmax_cross_entropy(z, y) == pytest.approx(expected, rel=1e-12)


def test_gradient_is_softmax_minus_onehot_over_batch():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 5))
    y = np.array([4, 0, 2, 2])
    onehot = np.eye(5)[y]
    g = wengert.grad(lambda z: nn.softmax_cross_entropy(z, y))(z)
    np.testing.assert_allclose(g, (softmax(z) - onehot) / 4, atol=1e-14)


@pytest.mark.parametrize("label, loss, grad", [
    (0, 0.0, [0.0, 0.0]),          # the right class wins by 2e4: p = (1, e^-2e4)
    (1, 2e4, [1.0, -1.0]),         # the wrong one: -log p = 2e4 exactly
])
def test_huge_logits_are_finite_and_exact(label, loss, grad):
    z = np.array([[1e4, -1e4]])
    y = np.array([label])
    value, g = wengert.value_and_grad(lambda z: nn.softmax_cross_entropy(z, y))(z)
    assert value == loss
    np.testing.assert_array_equal(g, [grad])


def test_tied_huge_logits():
    z = np.array([[1e4, 1e4, -1e4]])
    value, g = wengert.value_and_grad(lambda z: nn.softmax_cross_entropy(z, np.array([0])))(z)
    assert value == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_allclose(g, [[-0.5, 0.5, 0.0]], atol=1e-15)


def test_one_hot_and_integer_labels_agree():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 3)) * 50
    y = rng.integers(0, 3, 6)
    a = nn.softmax_cross_entropy(z, y)
    b = nn.softmax_cross_entropy(z, np.eye(3)[y])
    assert a == pytest.approx(b, rel=1e-14)


def test_probability_targets():
    z = np.array([[0.0, np.log(3.0)]])      # p = (1/4, 3/4)
    t = np.array([[0.5, 0.5]])
    expected = -(0.5 * np.log(0.25) + 0.5 * np.log(0.75))
    assert nn.softmax_cross_entropy(z, t) == pytest.approx(expected, rel=1e-14)


def test_reductions():
    z = np.zeros((3, 2))
    y = np.array([0, 1, 0])
    assert nn.softmax_cross_entropy(z, y, reduction="sum") == pytest.approx(3 * np.log(2))
    np.testing.assert_allclose(nn.softmax_cross_entropy(z, y, reduction="none"),
                               [np.log(2)] * 3)
    with pytest.raises(ValueError, match="reduction"):
        nn.softmax_cross_entropy(z, y, reduction="max")


def test_label_errors_are_clear():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        nn.softmax_cross_entropy(z, np.array([0, 3]))
    with pytest.raises(ValueError, match="shape"):
        nn.softmax_cross_entropy(z, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="shape"):
        nn.softmax_cross_entropy(z, np.ones((2, 4)))


def test_float32_logits_stay_float32():
    z = np.array([[1e4, -1e4, 3.0]], dtype=np.float32)
    value, g = wengert.value_and_grad(lambda z: nn.softmax_cross_entropy(z, np.array([2])))(z)
    assert np.isfinite(value) and g.dtype == np.float32
    assert value == pytest.approx(1e4 - 3.0)


def test_mse_value_and_gradient():
    pred = np.array([1.0, 2.0])
    target = np.array([0.0, 0.0])
    value, g = wengert.value_and_grad(nn.mse)(pred, target)
    assert value == 2.5                       # (1 + 4) / 2
    np.testing.assert_allclose(g, [1.0, 2.0])  # 2 (pred - target) / n
    with pytest.raises(ValueError, match="shape"):
        nn.mse(pred, np.zeros(3))


def test_log_softmax_rows_normalise():
    z = np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]])
    lp = nn.log_softmax(z)
    np.testing.assert_allclose(np.exp(lp).sum(axis=-1), [1.0, 1.0])
    assert np.isfinite(lp).all()


def test_accuracy():
    z = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert nn.accuracy(z, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert nn.accuracy(z, np.eye(2)[[1, 0, 1]]) == 1.0
