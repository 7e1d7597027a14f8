"""Workloads for vmap: Jacobians, Hessians, per-example gradients, batched forward gradients.

Data (seed 0): A ~ N(0, 1/n_in), x ~ N(0, 1), float64 unless said.

* vmap_hessian: the Hessian of ``sum(tanh(A x)**2)``, A 200x200 (``wengert.hessian``,
  ``torch.func.hessian``, ``jax.jit(jax.hessian)``; by hand ``Aᵀ diag(h'') A``).
* vmap_jacfwd: the Jacobian of ``tanh(A x)``, 10 -> 1000, by forward mode.
* vmap_jacrev: the Jacobian of ``tanh(A x)``, 1000 -> 10, by reverse mode.
* vmap_per_example_f32: per-example gradients of a 784-128-10 tanh MLP with squared
  error, batch 64, float32: ``vmap(grad(loss), in_axes=(None, 0, 0))``,
  ``torch.func.vmap(torch.func.grad)``, ``jax.jit(jax.vmap(jax.grad))``, and by hand
  with ``einsum`` (the floor).
* vmap_mlp_loss_f32: that MLP's batch loss alone (the "x loss" denominators).
* vmap_forward_grad16_f32: a forward-gradient estimate of that loss's gradient from 16
  random normal directions in one batched pass (``forward_grad(n_samples=16)``;
  ``torch.func.vmap`` of ``torch.func.jvp`` with ``randn`` directions; by hand, the
  16 tangents pushed through the network together).
* vmap_forward_grad16_loop_f32: the same 16 directions as 16 separate one-direction
  calls; its "x loss" column over the batched one's is the factor batching saves.
  Only the loss value is checked (the directions are random).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ._common import Workload, flat, load, to_numpy

N_HESS = 200
JACFWD = (10, 1000)   # n -> m
JACREV = (1000, 10)
SIZES = (784, 128, 10)
BATCH = 64
SAMPLES = 16


@lru_cache(maxsize=4)
def _linear(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(0.0, 1.0 / np.sqrt(n), (m, n)), rng.normal(0.0, 1.0, n)


@lru_cache(maxsize=1)
def _mlp_data() -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    P = {"W1": rng.normal(0.0, np.sqrt(1.0 / SIZES[0]), SIZES[:2]).astype(f32),
         "b1": rng.normal(0.0, 0.01, SIZES[1]).astype(f32),
         "W2": rng.normal(0.0, np.sqrt(1.0 / SIZES[1]), SIZES[1:]).astype(f32),
         "b2": rng.normal(0.0, 0.01, SIZES[2]).astype(f32)}
    X = rng.normal(0.0, 1.0, (BATCH, SIZES[0])).astype(f32)
    Y = rng.normal(0.0, 1.0, (BATCH, SIZES[2])).astype(f32)
    return P, X, Y


def _warm(fn: Any) -> Any:
    """Call ``fn`` twice before timing: torch.func and jax.jit pay seconds on their first
    call (tracing, compiling), which the runner would otherwise take for the cost of one."""
    fn()
    fn()
    return fn


def _jac_only(out: Any) -> tuple[float, list]:
    return 0.0, [to_numpy(out)]


def _value_only(out: Any) -> tuple[float, list]:
    return float(to_numpy(out[0] if isinstance(out, tuple) else out)), []


# -- Jacobians and Hessians -----------------------------------------------------------------
def _hessian_makers() -> dict:
    A, x = _linear(N_HESS, N_HESS)

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        H = wengert.hessian(lambda x: wnp.sum(wnp.tanh(A @ x) ** 2))
        return (lambda: H(x)), _jac_only

    def handwritten() -> tuple:
        def run() -> np.ndarray:
            t = np.tanh(A @ x)
            d = (2.0 - 6.0 * t * t) * (1.0 - t * t)  # d²/du² tanh(u)²
            return A.T @ (d[:, None] * A)
        return run, _jac_only

    def torch() -> tuple:
        torch = load("torch")
        from torch.func import hessian
        At, xt = torch.from_numpy(A), torch.from_numpy(x)
        H = hessian(lambda x: torch.sum(torch.tanh(At @ x) ** 2))
        return _warm(lambda: H(xt)), _jac_only

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        Aj, xj = jnp.asarray(A), jnp.asarray(x)
        H = jax.jit(jax.hessian(lambda x: jnp.sum(jnp.tanh(Aj @ x) ** 2)))
        return _warm(lambda: jax.block_until_ready(H(xj))), _jac_only

    return {"wengert": wengert, "handwritten": handwritten, "torch": torch, "jax": jax}


def _jacobian_makers(mode: str, n: int, m: int) -> dict:
    A, x = _linear(n, m)

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        jac = wengert.jacfwd if mode == "fwd" else wengert.jacrev
        J = jac(lambda x: wnp.tanh(A @ x))
        return (lambda: J(x)), _jac_only

    def handwritten() -> tuple:
        def run() -> np.ndarray:
            t = np.tanh(A @ x)
            return (1.0 - t * t)[:, None] * A
        return run, _jac_only

    def torch() -> tuple:
        torch = load("torch")
        from torch.func import jacfwd, jacrev
        At, xt = torch.from_numpy(A), torch.from_numpy(x)
        J = (jacfwd if mode == "fwd" else jacrev)(lambda x: torch.tanh(At @ x))
        return _warm(lambda: J(xt)), _jac_only

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        Aj, xj = jnp.asarray(A), jnp.asarray(x)
        jac = jax.jacfwd if mode == "fwd" else jax.jacrev
        J = jax.jit(jac(lambda x: jnp.tanh(Aj @ x)))
        return _warm(lambda: jax.block_until_ready(J(xj))), _jac_only

    return {"wengert": wengert, "handwritten": handwritten, "torch": torch, "jax": jax}


# -- the per-example MLP ----------------------------------------------------------------------
def example_loss(m: Any, P: dict, x: Any, y: Any) -> Any:
    """One example's squared error (or a batch's total), with NumPy-like module ``m``."""
    h = m.tanh(x @ P["W1"] + P["b1"])
    return m.sum((h @ P["W2"] + P["b2"] - y) ** 2)


def per_example_by_hand(P: dict, X: np.ndarray, Y: np.ndarray) -> dict:
    h = np.tanh(X @ P["W1"] + P["b1"])
    g = 2.0 * (h @ P["W2"] + P["b2"] - Y)             # d loss_b / d out_b
    gh = (g @ P["W2"].T) * (1.0 - h * h)              # d loss_b / d (x_b W1 + b1)
    return {"W1": np.einsum("bi,bj->bij", X, gh), "b1": gh,
            "W2": np.einsum("bi,bj->bij", h, g), "b2": g}


def _grads(out: Any) -> tuple[float, list]:
    return 0.0, flat(out)


def _per_example_makers() -> dict:
    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        P, X, Y = _mlp_data()
        pe = wengert.vmap(wengert.grad(lambda p, x, y: example_loss(wnp, p, x, y)),
                          in_axes=(None, 0, 0))
        return (lambda: pe(P, X, Y)), _grads

    def handwritten() -> tuple:
        P, X, Y = _mlp_data()
        return (lambda: per_example_by_hand(P, X, Y)), _grads

    def torch() -> tuple:
        torch = load("torch")
        from torch.func import grad, vmap
        P, X, Y = _mlp_data()
        Pt = {k: torch.from_numpy(v) for k, v in P.items()}
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        pe = vmap(grad(lambda p, x, y: example_loss(torch, p, x, y)), in_dims=(None, 0, 0))
        return _warm(lambda: pe(Pt, Xt, Yt)), _grads

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        P, X, Y = _mlp_data()
        Pj = {k: jnp.asarray(v) for k, v in P.items()}
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        pe = jax.jit(jax.vmap(jax.grad(lambda p, x, y: example_loss(jnp, p, x, y)),
                              in_axes=(None, 0, 0)))
        return _warm(lambda: jax.block_until_ready(pe(Pj, Xj, Yj))), _grads

    return {"wengert": wengert, "handwritten": handwritten, "torch": torch, "jax": jax}


def _loss_makers() -> dict:
    def wengert() -> tuple:
        load("wengert")
        import wengert.numpy as wnp
        P, X, Y = _mlp_data()
        return (lambda: example_loss(wnp, P, X, Y)), _value_only

    def handwritten() -> tuple:
        P, X, Y = _mlp_data()
        return (lambda: example_loss(np, P, X, Y)), _value_only

    def torch() -> tuple:
        torch = load("torch")
        P, X, Y = _mlp_data()
        Pt = {k: torch.from_numpy(v) for k, v in P.items()}
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        return (lambda: example_loss(torch, Pt, Xt, Yt)), _value_only

    return {"wengert": wengert, "handwritten": handwritten, "torch": torch}


# -- forward gradients with 16 directions -----------------------------------------------------
def forward_grad_by_hand(P: dict, X: np.ndarray, Y: np.ndarray, rng: np.random.Generator,
                         k: int) -> tuple[float, dict]:
    """k normal directions pushed through the network together, then (1/k) Σ (∇f·v) v."""
    V = {n: rng.standard_normal((k,) + p.shape, dtype=p.dtype) for n, p in P.items()}
    u = X @ P["W1"] + P["b1"]
    h = np.tanh(u)
    du = X @ V["W1"] + V["b1"][:, None, :]                  # (k, batch, hidden)
    dh = (1.0 - h * h) * du
    r = h @ P["W2"] + P["b2"] - Y
    dr = dh @ P["W2"] + h @ V["W2"] + V["b2"][:, None, :]
    value = float(np.sum(r * r))
    dd = np.einsum("bj,kbj->k", 2.0 * r, dr) / k
    return value, {n: np.tensordot(dd, v, 1) for n, v in V.items()}


def _forward_grad_makers(loop: bool) -> dict:
    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        P, X, Y = _mlp_data()
        rng = np.random.default_rng(0)
        f = lambda p, x, y: example_loss(wnp, p, x, y)
        if loop:
            def run() -> Any:
                outs = [wengert.forward_grad(f, P, X, Y, rng=rng) for _ in range(SAMPLES)]
                return outs[0][0], outs[0][1]
            return run, _value_only
        return (lambda: wengert.forward_grad(f, P, X, Y, rng=rng, n_samples=SAMPLES)), \
            _value_only

    def handwritten() -> tuple:
        P, X, Y = _mlp_data()
        rng = np.random.default_rng(0)
        if loop:
            def run() -> Any:
                outs = [forward_grad_by_hand(P, X, Y, rng, 1) for _ in range(SAMPLES)]
                return outs[0]
            return run, _value_only
        return (lambda: forward_grad_by_hand(P, X, Y, rng, SAMPLES)), _value_only

    def torch() -> tuple:
        torch = load("torch")
        from torch.func import jvp, vmap
        P, X, Y = _mlp_data()
        Pt = {k: torch.from_numpy(v) for k, v in P.items()}
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        gen = torch.Generator().manual_seed(0)
        f = lambda p: example_loss(torch, p, Xt, Yt)
        keys = list(Pt)  # torch compares dict key order

        def directions(k: int) -> dict:
            return {n: torch.randn((k,) + tuple(Pt[n].shape), generator=gen,
                                   dtype=Pt[n].dtype) for n in keys}

        def estimate(value: Any, dd: Any, V: dict, k: int) -> tuple:
            return value, {n: torch.tensordot(dd / k, V[n], 1) for n in keys}

        if loop:
            def run() -> Any:
                outs = []
                for _ in range(SAMPLES):
                    V = {n: v[0] for n, v in directions(1).items()}
                    value, dd = jvp(f, (Pt,), (V,))
                    outs.append((value, {n: dd * V[n] for n in keys}))
                return outs[0]
            return _warm(run), _value_only

        def run_batched() -> Any:
            V = directions(SAMPLES)
            value, dd = vmap(lambda v: jvp(f, (Pt,), (v,)), out_dims=(None, 0))(V)
            return estimate(value, dd, V, SAMPLES)
        return _warm(run_batched), _value_only

    return {"wengert": wengert, "handwritten": handwritten, "torch": torch}


def workloads(quick: bool) -> list[Workload]:
    n, m = JACFWD
    n2, m2 = JACREV
    return [
        Workload(name="vmap_hessian", family="vmap", reference="torch", target=1.0,
                 title=f"hessian of sum(tanh(A x)**2), n = {N_HESS}, float64",
                 makers=_hessian_makers(), tol=1e-9, params={"n": N_HESS}),
        Workload(name="vmap_jacfwd", family="vmap", reference="torch", target=0.5,
                 title=f"jacfwd of tanh(A x), {n} -> {m}, float64",
                 makers=_jacobian_makers("fwd", n, m), tol=1e-12, params={"n": n, "m": m}),
        Workload(name="vmap_jacrev", family="vmap", reference="torch", target=0.5,
                 title=f"jacrev of tanh(A x), {n2} -> {m2}, float64",
                 makers=_jacobian_makers("rev", n2, m2), tol=1e-12,
                 params={"n": n2, "m": m2}),
        Workload(name="vmap_per_example_f32", family="vmap", reference="handwritten",
                 target=2.0, tol=1e-4,
                 title="per-example gradients, 784-128-10 tanh MLP, squared error, batch 64, "
                       "float32 (vmap of grad; by hand: einsum)",
                 makers=_per_example_makers(), params={"sizes": SIZES, "batch": BATCH}),
        Workload(name="vmap_mlp_loss_f32", family="vmap", reference="handwritten",
                 title="that MLP's batch loss alone, float32", tol=1e-4,
                 makers=_loss_makers(), params={"sizes": SIZES, "batch": BATCH}),
        Workload(name="vmap_forward_grad16_f32", family="vmap", reference="handwritten",
                 title=f"forward gradient of that loss, {SAMPLES} normal directions in one "
                       f"batched pass", tol=1e-4, relative_to="vmap_mlp_loss_f32",
                 makers=_forward_grad_makers(loop=False), params={"samples": SAMPLES}),
        Workload(name="vmap_forward_grad16_loop_f32", family="vmap", reference="handwritten",
                 title=f"the same, as {SAMPLES} separate one-direction calls", tol=1e-4,
                 relative_to="vmap_mlp_loss_f32", makers=_forward_grad_makers(loop=True),
                 params={"samples": SAMPLES}),
    ]
