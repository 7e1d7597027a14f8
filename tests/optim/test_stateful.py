"""The tensor API: opt = SGD([tensors], lr=...); loss.backward(); opt.step()."""

import numpy as np
import pytest

import wengert
from wengert import optim


def test_sgd_step_on_tensors():
    w = wengert.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()          # grad = 2w = (2, 4)
    opt.step()
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    opt.zero_grad()
    assert w.grad is None


def test_tensors_without_gradient_are_left_alone():
    a = wengert.tensor(1.0, requires_grad=True)
    b = wengert.tensor(5.0, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    (a * 2.0).backward()
    opt.step()
    assert a.data == pytest.approx(0.0) and b.data == 5.0


def test_stateful_and_functional_agree():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(4)
    target = rng.standard_normal(4)
    w = wengert.tensor(w0, requires_grad=True)
    opt = optim.AdamW([w], lr=0.05)
    fopt = optim.AdamW(lr=0.05)
    p = w0.copy()
    state = fopt.init(p)
    for _ in range(3):
        ((w - target) ** 2).sum().backward()
        opt.step()
        opt.zero_grad()
        p, state = fopt.update(2 * (p - target), state, p)
    np.testing.assert_allclose(w.data, p, rtol=1e-12)


def test_bad_parameters_and_missing_tensors():
    with pytest.raises(TypeError, match="requires_grad"):
        optim.SGD([wengert.tensor([1.0])], lr=0.1)
    with pytest.raises(RuntimeError, match="without tensors"):
        optim.SGD(lr=0.1).step()
