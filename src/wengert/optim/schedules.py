"""Learning-rate schedules: functions ``step -> lr``, ``step`` counting from 0.

Pass one as an optimiser's ``lr``: ``SGD(lr=cosine_decay(0.1, total_steps=1000))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[[int], float]


def constant(lr: float) -> Schedule:
    return lambda step: float(lr)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr · gamma^(step // step_size)``: multiply by ``gamma`` every ``step_size`` steps."""
    if step_size < 1:
        raise ValueError(f"step_decay: step_size must be >= 1, got {step_size}")
    return lambda step: float(lr) * gamma ** (int(step) // step_size)


def exponential_decay(lr: float, gamma: float) -> Schedule:
    """``lr · gamma^step``."""
    return lambda step: float(lr) * gamma ** int(step)


def cosine_decay(lr: float, total_steps: int, final_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` at step 0 to ``final_lr`` at ``total_steps``, then flat."""
    if total_steps < 1:
        raise ValueError(f"cosine_decay: total_steps must be >= 1, got {total_steps}")

    def schedule(step: int) -> float:
        frac = min(int(step), total_steps) / total_steps
        return final_lr + 0.5 * (lr - final_lr) * (1.0 + math.cos(math.pi * frac))

    return schedule
