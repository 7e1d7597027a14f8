"""Optimiser steps against updates computed by hand from the published formulas."""

import numpy as np
import pytest

from wengert import optim


def run(opt, p0, grads):
    p = {"p": np.array(p0)}
    state = opt.init(p)
    for g in grads:
        p, state = opt.update({"p": np.array(g)}, state, p)
    return p["p"], state


def test_plain_sgd():
    p, state = run(optim.SGD(lr=0.1), [1.0, 2.0], [[0.5, -1.0]])
    np.testing.assert_allclose(p, [0.95, 2.1])
    assert state == {"step": 1}


def test_sgd_momentum_two_steps():
    # buf1 = 1, p1 = 1 - 0.1 = 0.9; buf2 = 0.9 + 1 = 1.9, p2 = 0.9 - 0.19 = 0.71
    p, state = run(optim.SGD(lr=0.1, momentum=0.9), 1.0, [1.0, 1.0])
    assert p == pytest.approx(0.71)
    assert state["momentum"]["p"] == pytest.approx(1.9)


def test_sgd_nesterov_two_steps():
    # step 1: buf = 1, d = 1 + 0.9 = 1.9, p = 0.81
    # step 2: buf = 0.9 + 1 = 1.9, d = 1 + 1.71 = 2.71, p = 0.81 - 0.271 = 0.539
    p, _ = run(optim.SGD(lr=0.1, momentum=0.9, nesterov=True), 1.0, [1.0, 1.0])
    assert p == pytest.approx(0.539)


def test_sgd_weight_decay():
    # g = 0 + 0.1 * 2 = 0.2; p = 2 - 0.5 * 0.2 = 1.9
    p, _ = run(optim.SGD(lr=0.5, weight_decay=0.1), 2.0, [0.0])
    assert p == pytest.approx(1.9)


def test_sgd_argument_checks():
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD(lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="learning rate"):
        optim.SGD()


def test_adam_two_steps():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    # step 1 with g = 0.5: m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps)
    p1 = 1.0 - lr * 0.5 / (0.5 + eps)
    # step 2 with g = -1
    m = b1 * (1 - b1) * 0.5 + (1 - b1) * -1.0
    v = b2 * (1 - b2) * 0.25 + (1 - b2) * 1.0
    p2 = p1 - lr * (m / (1 - b1 ** 2)) / (np.sqrt(v / (1 - b2 ** 2)) + eps)
    p, state = run(optim.Adam(lr=lr), 1.0, [0.5, -1.0])
    assert p == pytest.approx(p2, rel=1e-12)
    assert p2 == pytest.approx(0.936610, abs=1e-6)
    assert state["step"] == 2
    assert state["m"]["p"] == pytest.approx(m) and state["v"]["p"] == pytest.approx(v)


def test_adam_l2_versus_adamw_decoupled_decay():
    # Adam: g = 0.5 + 0.1·1 = 0.6, first step moves by lr·sign(g) → 0.9
    p, _ = run(optim.Adam(lr=0.1, weight_decay=0.1), 1.0, [0.5])
    assert p == pytest.approx(0.9, abs=1e-7)
    # AdamW: p ← 1·(1 - 0.1·0.1) = 0.99, then the Adam step of g = 0.5 → 0.89
    p, _ = run(optim.AdamW(lr=0.1, weight_decay=0.1), 1.0, [0.5])
    assert p == pytest.approx(0.89, abs=1e-7)


def test_pytree_structure_is_kept_and_inputs_untouched():
    params = {"a": np.array([1.0, 2.0]), "b": [np.array(3.0), {"c": np.ones((2, 2))}]}
    grads = {"a": np.array([1.0, 1.0]), "b": [np.array(1.0), {"c": np.ones((2, 2))}]}
    opt = optim.Adam(lr=0.1)
    state = opt.init(params)
    new, state = opt.update(grads, state, params)
    np.testing.assert_array_equal(params["a"], [1.0, 2.0])
    assert isinstance(new["b"], list) and new["b"][1]["c"].shape == (2, 2)
    np.testing.assert_allclose(new["b"][1]["c"], 0.9, atol=1e-7)


def test_structure_mismatch_is_reported():
    opt = optim.SGD(lr=0.1)
    params = {"a": np.ones(2)}
    with pytest.raises(ValueError, match="structure"):
        opt.update({"b": np.ones(2)}, opt.init(params), params)


def test_float32_stays_float32():
    p, _ = run(optim.Adam(lr=0.1), np.ones(3, np.float32), [np.ones(3, np.float32)])
    assert p.dtype == np.float32


def test_positional_learning_rate():
    p, _ = run(optim.SGD(0.5), 1.0, [1.0])
    assert p == 0.5
    assert optim.Adam(0.01).lr == 0.01
    assert optim.SGD(optim.exponential_decay(1.0, 0.5)).learning_rate(2) == 0.25
