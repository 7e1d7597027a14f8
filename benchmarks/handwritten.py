"""Hand-written gradients in plain Python and NumPy: the floor every library is measured against.

Each function computes the value and the derivative the way a person would by
hand: a forward pass that keeps only what the backward (or tangent) pass needs,
then that pass.  They are also the reference for the correctness checks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .workloads._common import CHAIN_A, CHAIN_B


# -- workload 1: f(x1, x2) = ln(x1) + x1*x2 - sin(x2) ----------------------------------------
def seed(x1: float, x2: float) -> tuple[float, tuple[float, float]]:
    value = math.log(x1) + x1 * x2 - math.sin(x2)
    return value, (1.0 / x1 + x2, x1 - math.cos(x2))


# -- workload 2: the scalar chain ---------------------------------------------------------------
def scalar_chain(x: float, n_ops: int) -> tuple[float, float]:
    """Value and derivative of ``chain(math, x, n_ops)``.

    Forward keeps each cycle's input (the previous cycle's tanh output); the
    backward multiplies the three non-trivial local derivatives of each cycle.
    """
    sin, tanh, cos = math.sin, math.tanh, math.cos
    inputs = []
    for _ in range(n_ops // 4):
        inputs.append(x)
        x = tanh(sin(x) * CHAIN_A + CHAIN_B)
    g = 1.0
    t = x
    for x_in in reversed(inputs):
        g *= (1.0 - t * t) * CHAIN_A * cos(x_in)
        t = x_in
    return x, g


# -- workloads 3 and 5: the vector chain, then sum ----------------------------------------------
def vector_chain(x: np.ndarray, n_ops: int) -> tuple[Any, np.ndarray]:
    """Value and gradient of ``sum(chain(np, x, n_ops))``.

    Memory-lean: forward allocates one array per cycle (sin's output, updated in
    place into the tanh output) and keeps it, since it is both this cycle's tanh
    output and the next cycle's sin input; backward allocates only the gradient,
    reuses each saved array as scratch once it is no longer needed, and drops it.
    Peak: the saved arrays plus the gradient (input not counted).
    """
    saved = []
    for _ in range(n_ops // 4):
        saved.append(x)
        y = np.sin(x)
        y *= CHAIN_A
        y += CHAIN_B
        np.tanh(y, out=y)
        x = y
    value = np.sum(x)
    g = np.ones_like(x)
    t, x = x, None
    while saved:
        x_in = saved.pop()
        np.multiply(t, t, out=t)             # d tanh = 1 - t^2 (t is not needed any more)
        np.subtract(1.0, t, out=t)
        g *= t
        g *= CHAIN_A                         # d (x * A)
        np.cos(x_in, out=t)                  # d sin = cos(x_in)
        g *= t
        t = x_in
    return value, g


# -- the general vector chain: x <- x + c * exp(tanh(x)), c an array --------------------------
def general_chain(x: np.ndarray, c: np.ndarray, n_ops: int) -> tuple[Any, np.ndarray]:
    """Value and gradient of ``sum`` of ``n_ops // 4`` steps ``x = x + c * exp(tanh(x))``.

    Forward keeps each step's tanh and exp (what the derivative reads); backward
    multiplies ``g`` by ``1 + c e (1 - t^2)`` in place, reusing the saved arrays.
    """
    saved = []
    for _ in range(n_ops // 4):
        t = np.tanh(x)
        e = np.exp(t)
        saved.append((t, e))
        x = x + c * e
    value = np.sum(x)
    g = np.ones_like(x)
    while saved:
        t, e = saved.pop()
        np.multiply(t, t, out=t)
        np.subtract(1.0, t, out=t)
        t *= e
        t *= c
        t += 1.0
        g *= t
    return value, g


# -- a Hessian: f(x) = sum(tanh(A x)) ------------------------------------------------------------
def tanh_hessian(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``Aᵀ diag(tanh''(A x)) A`` with ``tanh'' = -2 t (1 - t²)``."""
    t = np.tanh(A @ x)
    d2 = -2.0 * t * (1.0 - t * t)
    return (A.T * d2) @ A


# -- workload 4: the MLP ------------------------------------------------------------------------
def _forward(P: dict, X: np.ndarray) -> tuple:
    z1 = X @ P["W1"]
    z1 += P["b1"]
    h1 = np.maximum(z1, 0)
    z2 = h1 @ P["W2"]
    z2 += P["b2"]
    h2 = np.maximum(z2, 0)
    z = h2 @ P["W3"]
    z += P["b3"]
    return z1, h1, z2, h2, z


def _softmax_ce(z: np.ndarray, Y: np.ndarray) -> tuple[Any, np.ndarray]:
    """Mean cross-entropy from logits (log-sum-exp form) and the softmax."""
    zmax = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - zmax)
    s = np.sum(e, axis=1, keepdims=True)
    loss = (np.sum(zmax + np.log(s)) - np.sum(Y * z)) / z.shape[0]
    return loss, e / s


def mlp_loss(P: dict, X: np.ndarray, Y: np.ndarray) -> Any:
    return _softmax_ce(_forward(P, X)[-1], Y)[0]


def mlp_value_and_grad(P: dict, X: np.ndarray, Y: np.ndarray) -> tuple[Any, dict]:
    z1, h1, z2, h2, z = _forward(P, X)
    loss, p = _softmax_ce(z, Y)
    dz = p - Y
    dz /= z.shape[0]
    g = {"W3": h2.T @ dz, "b3": dz.sum(axis=0)}
    dz2 = dz @ P["W3"].T
    dz2 *= z2 > 0
    g["W2"] = h1.T @ dz2
    g["b2"] = dz2.sum(axis=0)
    dz1 = dz2 @ P["W2"].T
    dz1 *= z1 > 0
    g["W1"] = X.T @ dz1
    g["b1"] = dz1.sum(axis=0)
    return loss, g


def mlp_jvp(P: dict, T: dict, X: np.ndarray, Y: np.ndarray) -> tuple[Any, Any]:
    """Forward mode: the loss and its derivative along the parameter tangent ``T``."""
    z1, h1, z2, h2, z = _forward(P, X)
    loss, p = _softmax_ce(z, Y)
    dz1 = X @ T["W1"]
    dz1 += T["b1"]
    dz1 *= z1 > 0                           # = d h1
    dz2 = dz1 @ P["W2"]
    dz2 += h1 @ T["W2"]
    dz2 += T["b2"]
    dz2 *= z2 > 0                           # = d h2
    dz = dz2 @ P["W3"]
    dz += h2 @ T["W3"]
    dz += T["b3"]
    dloss = np.sum((p - Y) * dz) / z.shape[0]
    return loss, dloss
