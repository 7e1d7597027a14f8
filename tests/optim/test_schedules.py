import math

import numpy as np
import pytest

from wengert import optim


def test_step_decay():
    s = optim.step_decay(1.0, step_size=10, gamma=0.5)
    assert [s(0), s(9), s(10), s(25)] == [1.0, 1.0, 0.5, 0.25]


def test_exponential_decay():
    s = optim.exponential_decay(2.0, gamma=0.5)
    assert [s(0), s(3)] == [2.0, 0.25]


def test_cosine_decay():
    s = optim.cosine_decay(1.0, total_steps=100)
    assert s(0) == 1.0
    assert s(50) == pytest.approx(0.5)
    assert s(25) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    assert s(100) == pytest.approx(0.0) and s(500) == pytest.approx(0.0)
    assert optim.cosine_decay(1.0, 100, final_lr=0.1)(50) == pytest.approx(0.55)


def test_schedule_drives_the_optimiser():
    # lr = 1, 0.5, 0.25 for the first three updates with g = 1: p = -(1 + 0.5 + 0.25)
    opt = optim.SGD(lr=optim.step_decay(1.0, step_size=1, gamma=0.5))
    p = {"p": np.array(0.0)}
    state = opt.init(p)
    for _ in range(3):
        p, state = opt.update({"p": np.array(1.0)}, state, p)
    assert p["p"] == pytest.approx(-1.75)


def test_bad_arguments():
    with pytest.raises(ValueError):
        optim.step_decay(1.0, step_size=0)
    with pytest.raises(ValueError):
        optim.cosine_decay(1.0, total_steps=0)
