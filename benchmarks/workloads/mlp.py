"""Workload 4: an MLP 784-1024-1024-10 with ReLU and softmax cross-entropy, batch 64.

    h1 = relu(X @ W1 + b1);  h2 = relu(h1 @ W2 + b2);  z = h2 @ W3 + b3
    loss = (sum_i [max_j z_ij + log sum_j exp(z_ij - max_j z_ij)] - sum_ij Y_ij z_ij) / 64

with one-hot labels Y.  Data (seed 0): X ~ N(0, 1); labels uniform in 0..9;
W ~ N(0, 2/fan_in) (He); b ~ N(0, 0.01^2); the tangent of every parameter ~ N(0, 1).
Everything is made in NumPy once, in float32 or float64, and converted to each
library's arrays outside the timed calls.  Parameters are a dict pytree
(W1, b1, W2, b2, W3, b3) for wengert, jax and autograd, and a dict of leaf
tensors for the tensor APIs.

* mlp_grad_<dtype>: the loss and its gradient w.r.t. all six parameters.
* mlp_jvp_<dtype>: the loss and its derivative along the tangent (forward mode:
  wengert.jvp, jax.jvp, torch.func.jvp, autograd.make_jvp, hand-written tangents).
* mlp_loss_<dtype>: the loss alone (torch under no_grad), for the "x loss" ratios.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ._common import Workload, flat, load, to_numpy

SIZES = (784, 1024, 1024, 10)
BATCH = 64
NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


@lru_cache(maxsize=2)
def make_data(dtype_name: str) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    P: dict[str, np.ndarray] = {}
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:]), start=1):
        P[f"W{i}"] = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(dtype)
        P[f"b{i}"] = rng.normal(0.0, 0.01, n_out).astype(dtype)
    T = {k: rng.normal(0.0, 1.0, v.shape).astype(dtype) for k, v in P.items()}
    X = rng.normal(0.0, 1.0, (BATCH, SIZES[0])).astype(dtype)
    Y = np.eye(SIZES[-1], dtype=dtype)[rng.integers(0, SIZES[-1], BATCH)]
    return P, T, X, Y


def loss(m: Any, P: dict, X: Any, Y: Any) -> Any:
    """The loss written with NumPy-like module ``m`` (wengert.numpy, jax.numpy, autograd)."""
    h = m.maximum(X @ P["W1"] + P["b1"], 0)
    h = m.maximum(h @ P["W2"] + P["b2"], 0)
    z = h @ P["W3"] + P["b3"]
    zmax = m.max(z, axis=1, keepdims=True)
    lse = zmax + m.log(m.sum(m.exp(z - zmax), axis=1, keepdims=True))
    return (m.sum(lse) - m.sum(Y * z)) / z.shape[0]


def torch_loss(torch: Any, P: dict, X: Any, Y: Any) -> Any:
    """The same loss in PyTorch's own idiom."""
    h = torch.relu(X @ P["W1"] + P["b1"])
    h = torch.relu(h @ P["W2"] + P["b2"])
    z = h @ P["W3"] + P["b3"]
    zmax = torch.amax(z, dim=1, keepdim=True)
    lse = zmax + torch.log(torch.sum(torch.exp(z - zmax), dim=1, keepdim=True))
    return (torch.sum(lse) - torch.sum(Y * z)) / z.shape[0]


def _value_grads(out: Any) -> tuple[float, list]:
    return float(to_numpy(out[0])), flat(out[1])


def _value_tangent(out: Any) -> tuple[float, list]:
    return float(to_numpy(out[0])), [to_numpy(out[1])]


def _value_only(out: Any) -> tuple[float, list]:
    return float(to_numpy(out)), []


def _makers(mode: str, dtype: Any) -> dict:
    data = lambda: make_data(np.dtype(dtype).name)

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        P, T, X, Y = data()
        if mode == "grad":
            vg = wengert.value_and_grad(lambda p: loss(wnp, p, X, Y))
            return (lambda: vg(P)), _value_grads
        if mode == "jvp":
            f = lambda p: loss(wnp, p, X, Y)
            return (lambda: wengert.jvp(f, (P,), (T,))), _value_tangent
        return (lambda: loss(wnp, P, X, Y)), _value_only

    def wengert_tensor() -> tuple:
        wengert = load("wengert.tensor")
        import wengert.numpy as wnp
        P, T, X, Y = data()
        Pt = {k: wengert.tensor(v, requires_grad=True) for k, v in P.items()}

        def run() -> Any:
            for p in Pt.values():
                p.grad = None
            val = loss(wnp, Pt, X, Y)
            val.backward()
            return val, {k: p.grad for k, p in Pt.items()}

        return run, _value_grads

    def handwritten() -> tuple:
        hw = load("handwritten")
        P, T, X, Y = data()
        if mode == "grad":
            return (lambda: hw.mlp_value_and_grad(P, X, Y)), _value_grads
        if mode == "jvp":
            return (lambda: hw.mlp_jvp(P, T, X, Y)), _value_tangent
        return (lambda: hw.mlp_loss(P, X, Y)), _value_only

    def torch() -> tuple:
        torch = load("torch")
        P, T, X, Y = data()
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        Pt = {k: torch.from_numpy(v.copy()) for k, v in P.items()}
        if mode == "grad":
            for p in Pt.values():
                p.requires_grad_(True)

            def run() -> Any:
                for p in Pt.values():
                    p.grad = None
                val = torch_loss(torch, Pt, Xt, Yt)
                val.backward()
                return val, {k: p.grad for k, p in Pt.items()}

            return run, _value_grads
        if mode == "jvp":
            from torch.func import jvp
            Tt = {k: torch.from_numpy(v) for k, v in T.items()}
            f = lambda p: torch_loss(torch, p, Xt, Yt)
            return (lambda: jvp(f, (Pt,), (Tt,))), _value_tangent

        def run_loss() -> Any:
            with torch.no_grad():
                return torch_loss(torch, Pt, Xt, Yt)

        return run_loss, _value_only

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        P, T, X, Y = data()
        Pj = {k: jnp.asarray(v) for k, v in P.items()}
        Tj = {k: jnp.asarray(v) for k, v in T.items()}
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        f = lambda p: loss(jnp, p, Xj, Yj)
        sync = jax.block_until_ready  # JAX dispatches asynchronously
        if mode == "grad":
            vg = jax.value_and_grad(f)
            return (lambda: sync(vg(Pj))), _value_grads
        if mode == "jvp":
            return (lambda: sync(jax.jvp(f, (Pj,), (Tj,)))), _value_tangent
        return (lambda: sync(f(Pj))), _value_only

    def autograd() -> tuple:
        autograd = load("autograd")
        import autograd.numpy as anp
        P, T, X, Y = data()
        f = lambda p: loss(anp, p, X, Y)
        if mode == "grad":
            vg = autograd.value_and_grad(f)
            return (lambda: vg(P)), _value_grads
        if mode == "jvp":
            jvp_at = autograd.make_jvp(f)
            return (lambda: jvp_at(P)(T)), _value_tangent
        return (lambda: f(P)), _value_only

    makers = {"wengert": wengert, "wengert.tensor": wengert_tensor,
              "handwritten": handwritten, "torch": torch, "jax": jax, "autograd": autograd}
    if mode != "grad":
        del makers["wengert.tensor"]  # the tensor API has no forward mode; its loss is wengert's
    return makers


_TITLES = {
    "grad": "MLP 784-1024-1024-10, batch 64, {}: loss and gradient w.r.t. all parameters",
    "jvp": "MLP 784-1024-1024-10, batch 64, {}: loss and JVP along a random parameter tangent",
    "loss": "MLP 784-1024-1024-10, batch 64, {}: loss alone",
}


def workloads(quick: bool) -> list[Workload]:
    out = []
    for dtype, tag, tol in ((np.float32, "f32", 1e-3), (np.float64, "f64", 1e-6)):
        for mode in ("grad", "jvp", "loss"):
            out.append(Workload(
                name=f"mlp_{mode}_{tag}", family="mlp",
                title=_TITLES[mode].format(np.dtype(dtype).name),
                reference="handwritten", target=1.1 if mode != "loss" else None,
                tol=tol, makers=_makers(mode, dtype),
                relative_to=None if mode == "loss" else f"mlp_loss_{tag}",
                params={"dtype": np.dtype(dtype).name, "batch": BATCH, "sizes": SIZES}))
    return out
