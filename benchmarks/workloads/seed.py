"""Workload 1: value and gradient of f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2.0, 5.0).

Per call, from Python floats: the transform APIs box the inputs themselves; the
tensor APIs (wengert.tensor, torch) create two float64 leaves with
``requires_grad=True``, evaluate, call ``backward()`` and read ``.grad``.
Outputs are left in each library's own types (no ``.item()`` in the timed call).
"""

from __future__ import annotations

from typing import Any

from ._common import Workload, flat, load, to_numpy

X1, X2 = 2.0, 5.0


def _f(m: Any, x1: Any, x2: Any) -> Any:
    return m.log(x1) + x1 * x2 - m.sin(x2)


def _wengert() -> tuple:
    wengert = load("wengert")
    import wengert.numpy as wnp
    vg = wengert.value_and_grad(lambda x1, x2: _f(wnp, x1, x2), argnums=(0, 1))
    return (lambda: vg(X1, X2)), (lambda out: (float(out[0]), flat(out[1])))


def _wengert_tensor() -> tuple:
    wengert = load("wengert.tensor")
    import wengert.numpy as wnp
    tensor = wengert.tensor

    def run() -> Any:
        x1 = tensor(X1, requires_grad=True)
        x2 = tensor(X2, requires_grad=True)
        y = _f(wnp, x1, x2)
        y.backward()
        return y, x1.grad, x2.grad

    return run, (lambda out: (float(to_numpy(out[0])), flat(out[1:])))


def _handwritten() -> tuple:
    hw = load("handwritten")
    return (lambda: hw.seed(X1, X2)), (lambda out: (out[0], flat(out[1])))


def _torch() -> tuple:
    torch = load("torch")
    f64 = torch.float64

    def run() -> Any:
        x1 = torch.tensor(X1, dtype=f64, requires_grad=True)
        x2 = torch.tensor(X2, dtype=f64, requires_grad=True)
        y = _f(torch, x1, x2)
        y.backward()
        return y, x1.grad, x2.grad

    return run, (lambda out: (float(to_numpy(out[0])), flat(out[1:])))


def _jax() -> tuple:
    jax = load("jax")
    import jax.numpy as jnp
    vg = jax.value_and_grad(lambda x1, x2: _f(jnp, x1, x2), argnums=(0, 1))
    return (lambda: jax.block_until_ready(vg(X1, X2))), (lambda out: (float(out[0]), flat(out[1])))


def _autograd() -> tuple:
    autograd = load("autograd")
    import autograd.numpy as anp
    vg = autograd.value_and_grad(lambda x1, x2: _f(anp, x1, x2), argnum=(0, 1))
    return (lambda: vg(X1, X2)), (lambda out: (float(out[0]), flat(out[1])))


def workloads(quick: bool) -> list[Workload]:
    return [Workload(
        name="seed", family="seed",
        title="f(x1,x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5): value and gradient, per call",
        reference="torch", target=0.25,
        makers={"wengert": _wengert, "wengert.tensor": _wengert_tensor,
                "handwritten": _handwritten, "torch": _torch, "jax": _jax,
                "autograd": _autograd},
    )]
