"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

PyTorch's formulation: ``g ← g + λp``; ``buf ← μ·buf + g``; the step uses
``buf`` (heavy ball) or ``g + μ·buf`` (Nesterov); ``p ← p - lr·step``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .base import LR, Optimizer


class SGD(Optimizer):
    """SGD: ``SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)``."""

    def __init__(self, params: Iterable[Tensor] | None = None, lr: LR | None = None, *,
                 momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        if momentum < 0 or weight_decay < 0:
            raise ValueError("SGD: momentum and weight_decay must be non-negative")
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.weight_decay = float(weight_decay)
        self.slots = ("momentum",) if momentum else ()
        super().__init__(params, lr)

    def _leaf(self, g: np.ndarray, p: np.ndarray, slots: tuple, lr: float,
              t: int) -> tuple[np.ndarray, tuple]:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if not self.momentum:
            return p - lr * g, ()
        buf = self.momentum * slots[0] + g
        d = g + self.momentum * buf if self.nesterov else buf
        return p - lr * d, (buf,)

    def _options(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay}
