"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019).

``m ← β₁m + (1-β₁)g``, ``v ← β₂v + (1-β₂)g²``, bias-corrected
``m̂ = m/(1-β₁ᵗ)``, ``v̂ = v/(1-β₂ᵗ)``, ``p ← p - lr·m̂/(√v̂ + ε)``.
Adam's ``weight_decay`` adds ``λp`` to the gradient (L2); AdamW instead
shrinks the parameter directly, ``p ← p(1 - lr·λ)``, before the Adam step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .base import LR, Optimizer


class Adam(Optimizer):
    slots = ("m", "v")
    decoupled = False

    def __init__(self, params: Iterable[Tensor] | None = None, lr: LR | None = 1e-3, *,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"{type(self).__name__}: betas must lie in [0, 1), got {betas}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        super().__init__(params, lr)

    def _leaf(self, g: np.ndarray, p: np.ndarray, slots: tuple, lr: float,
              t: int) -> tuple[np.ndarray, tuple]:
        b1, b2 = self.betas
        if self.weight_decay and self.decoupled:
            p = p * (1.0 - lr * self.weight_decay)
        elif self.weight_decay:
            g = g + self.weight_decay * p
        m = b1 * slots[0] + (1.0 - b1) * g
        v = b2 * slots[1] + (1.0 - b2) * (g * g)
        m_hat = m / (1.0 - b1 ** t)
        v_hat = v / (1.0 - b2 ** t)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.eps), (m, v)

    def _options(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}


class AdamW(Adam):
    """Adam with decoupled weight decay (default ``weight_decay=0.01``, as PyTorch)."""

    decoupled = True

    def __init__(self, params: Iterable[Tensor] | None = None, lr: LR | None = 1e-3, *,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay)
