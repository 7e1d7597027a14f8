"""Modules, initialisers and Dropout."""

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import nn


def test_linear_computes_affine_map():
    layer = nn.Linear(3, 2)
    p = layer.init(0)
    assert p["w"].shape == (3, 2) and p["b"].shape == (2,)
    p = {"w": np.arange(6.0).reshape(3, 2), "b": np.array([1.0, -1.0])}
    x = np.array([[1.0, 0.0, 2.0]])
    np.testing.assert_allclose(layer(p, x), [[1 + 8, -1 + 1 + 10]])


def test_linear_without_bias_and_dtype():
    layer = nn.Linear(4, 3, bias=False, dtype=np.float32)
    p = layer.init(1)
    assert set(p) == {"w"} and p["w"].dtype == np.float32


def test_mlp_structure_and_gradient_shapes():
    net = nn.MLP([5, 7, 3])
    p = net.init(np.random.default_rng(0))
    assert [sorted(q) for q in p] == [["b", "w"], [], ["b", "w"]]
    assert nn.num_params(p) == 5 * 7 + 7 + 7 * 3 + 3
    x = np.ones((2, 5))
    g = wengert.grad(lambda p: wnp.sum(net(p, x)))(p)
    assert wengert.tree_structure(g) == wengert.tree_structure(p)


def test_mlp_equals_hand_composition():
    net = nn.MLP([4, 6, 2], activation="tanh")
    p = net.init(3)
    x = np.random.default_rng(4).standard_normal((3, 4))
    expected = np.tanh(x @ p[0]["w"] + p[0]["b"]) @ p[2]["w"] + p[2]["b"]
    np.testing.assert_allclose(net(p, x), expected)


def test_same_seed_same_parameters():
    a, b = nn.MLP([3, 4, 2]).init(7), nn.MLP([3, 4, 2]).init(7)
    for x, y in zip(wengert.tree_leaves(a), wengert.tree_leaves(b)):
        np.testing.assert_array_equal(x, y)


def test_sequential_checks_its_layers():
    with pytest.raises(TypeError, match="not a wengert.nn.Module"):
        nn.Sequential(nn.Linear(2, 2), lambda x: x)
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with pytest.raises(ValueError, match="1 layers, the model has 2"):
        seq([{}], np.ones(2))


@pytest.mark.parametrize("name, shape, var", [
    ("glorot_uniform", (300, 200), 2 / 500),
    ("glorot_normal", (300, 200), 2 / 500),
    ("he_uniform", (300, 200), 2 / 300),
    ("he_normal", (300, 200), 2 / 300),
])
def test_initialiser_variance(name, shape, var):
    w = nn.get_initializer(name)(np.random.default_rng(0), shape)
    n = w.size
    # sample variance has relative standard error about sqrt(2/n) (≈ 0.6% here); allow 5σ
    assert abs(w.var() / var - 1) < 5 * np.sqrt(2 / n) * 1.5
    assert abs(w.mean()) < 5 * np.sqrt(var / n)


def test_uniform_initialisers_respect_their_bounds():
    w = nn.glorot_uniform(0, (30, 20))
    assert np.abs(w).max() <= np.sqrt(6 / 50)
    w = nn.he_uniform(0, (30, 20))
    assert np.abs(w).max() <= np.sqrt(6 / 30)


def test_initialisers_need_a_seed():
    with pytest.raises(ValueError, match="rng"):
        nn.he_normal(None, (2, 2))


def test_dropout_is_identity_outside_training():
    x = np.ones((3, 4))
    assert nn.Dropout(0.5)({}, x) is x


def test_dropout_drops_at_rate_and_rescales():
    d = nn.Dropout(0.3)
    y = d({}, np.ones(200_000), train=True, rng=np.random.default_rng(0))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    # the kept fraction is binomial: mean 0.7, sd sqrt(0.21 / n) ≈ 0.001
    assert abs(kept.mean() - 0.7) < 5 * np.sqrt(0.21 / y.size)


def test_dropout_is_reproducible_and_needs_a_generator():
    d = nn.Dropout(0.5)
    x = np.arange(1.0, 11.0)
    a = d({}, x, train=True, rng=np.random.default_rng(5))
    b = d({}, x, train=True, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="Generator"):
        d({}, x, train=True)
    with pytest.raises(ValueError, match="rate"):
        nn.Dropout(1.0)


def test_dropout_gradient_is_the_scaled_mask():
    d = nn.Dropout(0.25)
    x = np.arange(1.0, 9.0)
    y = d({}, x, train=True, rng=np.random.default_rng(9))
    g = wengert.grad(lambda x: wnp.sum(d({}, x, train=True, rng=np.random.default_rng(9))))(x)
    np.testing.assert_allclose(g, (y != 0) / 0.75)
