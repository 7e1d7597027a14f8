"""The lecture's linear-model example: one step of gradient descent, by hand and by wengert.

h(x) = w·x + b, one measurement (x = 1, y = 7), start w = 2, b = 3, squared error,
step size 0.1.  Expected: loss 4, gradient (-4, -4), new parameters (2.4, 3.4).

    python examples/linear_model.py
"""

import numpy as np

import wengert
from wengert import optim

x, y = 1.0, 7.0


def loss(params):
    h = params["w"] * x + params["b"]   # α = x·w, β = α + b
    return (h - y) ** 2                 # γ = β - y, L = γ²


# Functional API: the gradient has the structure of the parameters.
params = {"w": np.array(2.0), "b": np.array(3.0)}
value, grads = wengert.value_and_grad(loss)(params)
new = {k: params[k] - 0.1 * grads[k] for k in params}
print(f"loss = {value:g}")
print(f"dL/dw = {grads['w']:g}, dL/db = {grads['b']:g}")
print(f"after one step: w = {new['w']:g}, b = {new['b']:g}")

# Tensor API, as in PyTorch.
w = wengert.tensor(2.0, requires_grad=True)
b = wengert.tensor(3.0, requires_grad=True)
opt = optim.SGD([w, b], lr=0.1)
((w * x + b - y) ** 2).backward()
opt.step()
print(f"tensor API: w = {w.item():g}, b = {b.item():g}")

# Forward gradients average to the gradient: (∇L·v) v with v ~ N(0, I).
rng = np.random.default_rng(0)
est = [wengert.forward_grad(loss, params, rng=rng)[1] for _ in range(20000)]
print(f"mean of 20000 forward gradients: dL/dw ≈ {np.mean([e['w'] for e in est]):.2f}, "
      f"dL/db ≈ {np.mean([e['b'] for e in est]):.2f}")
