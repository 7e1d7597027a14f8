"""Optimisers (SGD, Adam, AdamW) and learning-rate schedules.

Functional on pytrees (``state = opt.init(params)``;
``params, state = opt.update(grads, state, params)``) or stateful on tensors
(``opt = SGD([w, b], lr=0.1)``; ``opt.step()``; ``opt.zero_grad()``).
"""

from .adam import Adam, AdamW
from .base import Optimizer
from .schedules import constant, cosine_decay, exponential_decay, step_decay
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "constant", "step_decay",
           "exponential_decay", "cosine_decay"]
