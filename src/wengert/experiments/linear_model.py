"""The lecture's example: one gradient step for h(x) = w·x + b on (x=1, y=7).

With w = 2, b = 3 the forward pass gives α = x·w = 2, β = α + b = 5,
γ = β - y = -2 and the loss L = γ² = 4; the backward pass gives
∂L/∂w = ∂L/∂b = 2γ = -4, and a step of size 0.1 moves (w, b) to (2.4, 3.4).
Computed here three ways: ``wengert.grad`` on a parameter dict, the tensor
API with ``optim.SGD``, and a forward gradient (whose expectation is the
gradient; one sample shown).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..forward_grad import forward_grad
from ..optim import SGD
from ..tensor import tensor
from ..transforms import value_and_grad

X, Y = 1.0, 7.0
W0, B0 = 2.0, 3.0
LR = 0.1


def model(params: dict, x: Any) -> Any:
    return params["w"] * x + params["b"]


def loss(params: dict) -> Any:
    return (model(params, X) - Y) ** 2


def run(seed: int = 0) -> dict:
    """Loss, gradient and updated parameters by reverse mode, the tensor API and a forward
    gradient."""
    params = {"w": np.array(W0), "b": np.array(B0)}
    value, g = value_and_grad(loss)(params)
    step = {k: float(params[k] - LR * g[k]) for k in params}

    w: Any = tensor(W0, requires_grad=True)  # Any: Tensor's operators are attached at runtime
    b: Any = tensor(B0, requires_grad=True)
    opt = SGD([w, b], lr=LR)
    ((w * X + b - Y) ** 2).backward()
    grads_tensor = (float(w.grad.data), float(b.grad.data))
    opt.step()

    _, fg = forward_grad(loss, params, rng=seed)
    return {"loss": float(value), "grad": (float(g["w"]), float(g["b"])), "step": step,
            "tensor_grad": grads_tensor, "tensor_step": (float(w.data), float(b.data)),
            "forward_grad_sample": (float(fg["w"]), float(fg["b"]))}


def format_report(r: dict) -> str:
    return "\n".join([
        f"h(x) = w·x + b, data (x={X:g}, y={Y:g}), start w={W0:g}, b={B0:g}, lr={LR:g}",
        f"loss L                   = {r['loss']:g}",
        f"gradient (dL/dw, dL/db) = ({r['grad'][0]:g}, {r['grad'][1]:g})",
        f"after one step (w, b)    = ({r['step']['w']:g}, {r['step']['b']:g})",
        f"tensor API: grad ({r['tensor_grad'][0]:g}, {r['tensor_grad'][1]:g}), step "
        f"({r['tensor_step'][0]:g}, {r['tensor_step'][1]:g})",
        f"one forward-gradient sample (dL/dw, dL/db) ≈ ({r['forward_grad_sample'][0]:.3g}, "
        f"{r['forward_grad_sample'][1]:.3g})  (unbiased: its mean is the gradient)",
    ])
