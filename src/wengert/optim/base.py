"""The optimiser protocol, functional and stateful.

Functional, on pytrees (as optax)::

    opt = SGD(lr=0.1, momentum=0.9)
    state = opt.init(params)
    params, state = opt.update(grads, state, params)

Stateful, on tensors (as torch.optim)::

    opt = SGD([w, b], lr=0.1)
    loss.backward(); opt.step(); opt.zero_grad()

Both share one per-leaf rule, ``_leaf(g, p, slots, lr, t)``, so they give the
same numbers.  ``lr`` is a float or a schedule ``step -> lr`` (``step`` counts
the updates made before this one, from 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..core.tree import tree_flatten, tree_unflatten
from ..tensor import Tensor

LR = float | Callable[[int], float]


class Optimizer:
    """Base class; subclasses name their state ``slots`` and define ``_leaf``."""

    slots: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Tensor] | None = None, lr: LR | None = None) -> None:
        if callable(params) or isinstance(params, (int, float)):
            params, lr = None, params  # SGD(0.1): the learning rate given positionally
        if lr is None:
            raise TypeError(f"{type(self).__name__}: pass a learning rate, lr=...")
        self.lr = lr
        self._tensors: list[Tensor] | None = None
        if params is not None:
            self._bind(params)

    # -- functional API --------------------------------------------------------------
    def learning_rate(self, step: int) -> float:
        """The learning rate for the update after ``step`` earlier updates."""
        return float(self.lr(step)) if callable(self.lr) else float(self.lr)

    def init(self, params: Any) -> dict:
        """Zero state for ``params``: ``{"step": 0, slot: pytree like params, ...}``."""
        leaves, treedef = tree_flatten(params)
        state: dict = {"step": 0}
        for s in self.slots:
            state[s] = tree_unflatten(treedef, [np.zeros_like(np.asarray(p)) for p in leaves])
        return state

    def update(self, grads: Any, state: dict, params: Any) -> tuple[Any, dict]:
        """One step: returns ``(new_params, new_state)``; inputs are not modified."""
        p_leaves, treedef = tree_flatten(params)
        g_leaves, g_def = tree_flatten(grads)
        if g_def != treedef:
            raise ValueError(f"{type(self).__name__}.update: gradients have structure {g_def}, "
                             f"parameters have {treedef}")
        slot_leaves = [tree_flatten(state[s])[0] for s in self.slots]
        step = int(state["step"])
        lr = self.learning_rate(step)
        new_p: list[np.ndarray] = []
        new_slots: list[list[np.ndarray]] = [[] for _ in self.slots]
        for i, (g, p) in enumerate(zip(g_leaves, p_leaves)):
            p2, sl2 = self._leaf(np.asarray(g), np.asarray(p),
                                 tuple(sl[i] for sl in slot_leaves), lr, step + 1)
            new_p.append(p2)
            for acc, s in zip(new_slots, sl2):
                acc.append(s)
        new_state: dict = {"step": step + 1}
        for name, leaves in zip(self.slots, new_slots):
            new_state[name] = tree_unflatten(treedef, leaves)
        return tree_unflatten(treedef, new_p), new_state

    def _leaf(self, g: np.ndarray, p: np.ndarray, slots: tuple, lr: float,
              t: int) -> tuple[np.ndarray, tuple]:
        raise NotImplementedError

    # -- stateful API for tensors ----------------------------------------------------
    def _bind(self, params: Iterable[Tensor]) -> None:
        tensors = list(params)
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor) or not t.requires_grad:
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is not a wengert.tensor with "
                    f"requires_grad=True; for parameter pytrees use the functional API "
                    f"(opt.init / opt.update)")
        self._tensors = tensors
        self._steps = 0
        self._leaf_state = [(0, tuple(np.zeros_like(t.data) for _ in self.slots))
                            for t in tensors]

    def step(self) -> None:
        """Update every bound tensor that has a ``.grad``, in place."""
        if self._tensors is None:
            raise RuntimeError(f"{type(self).__name__}.step(): built without tensors; use "
                               f"opt.update(grads, state, params), or build it as "
                               f"{type(self).__name__}([tensors...], lr=...)")
        lr = self.learning_rate(self._steps)
        for i, t in enumerate(self._tensors):
            if t.grad is None:
                continue  # as torch.optim: parameters without a gradient are left alone
            count, slots = self._leaf_state[i]
            new, slots = self._leaf(np.asarray(t.grad.data), t.data, slots, lr, count + 1)
            t.data[...] = new
            self._leaf_state[i] = (count + 1, slots)
        self._steps += 1

    def zero_grad(self) -> None:
        """Forget the bound tensors' gradients (``.grad = None``)."""
        for t in self._tensors or ():
            t.grad = None

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._options().items())
        return f"{type(self).__name__}({opts})"

    def _options(self) -> dict:
        return {"lr": self.lr}
