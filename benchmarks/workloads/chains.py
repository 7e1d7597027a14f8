"""Workloads 2 and 3: long chains of elementwise ops, value and gradient, time per op.

The chain is ``_common.chain``: cycles of ``x = sin(x); x = x * 1.0001;
x = x + 1e-6; x = tanh(x)`` (4 ops a cycle).  Every library runs that same
function with its own ``sin``/``tanh`` (``wengert.numpy``, ``torch``,
``jax.numpy``, ``autograd.numpy``).

* scalar_chain_<N>: from the Python float 0.5, N ops, d(out)/d(x).
* vector_chain: 1,000 ops on a float64 vector of 100 elements (uniform in
  [-1, 1], seed 0), then ``sum``; the gradient w.r.t. the vector.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import Workload, chain, flat, load, to_numpy

X0 = 0.5
VECTOR_SIZE = 100
VECTOR_OPS = 1000


def _vector_input() -> np.ndarray:
    return np.random.default_rng(0).uniform(-1.0, 1.0, VECTOR_SIZE)


def _makers(n_ops: int, x0: Any, vector: bool) -> dict:
    """The makers for one chain; ``vector`` adds the final ``sum``."""

    def fin(m: Any, y: Any) -> Any:
        return m.sum(y) if vector else y

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        vg = wengert.value_and_grad(lambda x: fin(wnp, chain(wnp, x, n_ops)))
        return (lambda: vg(x0)), (lambda out: (float(out[0]), flat(out[1])))

    def wengert_tensor() -> tuple:
        wengert = load("wengert.tensor")
        import wengert.numpy as wnp

        def run() -> Any:
            x = wengert.tensor(x0, requires_grad=True)
            y = fin(wnp, chain(wnp, x, n_ops))
            y.backward()
            return y, x.grad

        return run, (lambda out: (float(to_numpy(out[0])), flat(out[1])))

    def handwritten() -> tuple:
        hw = load("handwritten")
        if vector:
            return (lambda: hw.vector_chain(x0, n_ops)), (lambda out: (out[0], flat(out[1])))
        return (lambda: hw.scalar_chain(x0, n_ops)), (lambda out: (out[0], flat(out[1])))

    def torch() -> tuple:
        torch = load("torch")

        def run() -> Any:
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            y = fin(torch, chain(torch, x, n_ops))
            y.backward()
            return y, x.grad

        return run, (lambda out: (float(to_numpy(out[0])), flat(out[1])))

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        vg = jax.value_and_grad(lambda x: fin(jnp, chain(jnp, x, n_ops)))
        xj = jnp.asarray(x0) if vector else x0
        sync = jax.block_until_ready  # JAX dispatches asynchronously
        return (lambda: sync(vg(xj))), (lambda out: (float(out[0]), flat(out[1])))

    def autograd() -> tuple:
        autograd = load("autograd")
        import autograd.numpy as anp
        vg = autograd.value_and_grad(lambda x: fin(anp, chain(anp, x, n_ops)))
        return (lambda: vg(x0)), (lambda out: (float(out[0]), flat(out[1])))

    return {"wengert": wengert, "wengert.tensor": wengert_tensor, "handwritten": handwritten,
            "torch": torch, "jax": jax, "autograd": autograd}


def scalar_chain(n_ops: int) -> Workload:
    return Workload(in_quick=n_ops <= 10_000,
        name=f"scalar_chain_{n_ops // 1000}k", family="scalar_chain",
        title=f"scalar chain of {n_ops:,} ops from a Python float: value and gradient, per op",
        reference="torch", target=0.35, unit="op", ops=n_ops,
        makers=_makers(n_ops, X0, vector=False), params={"n_ops": n_ops, "x0": X0})


def vector_chain() -> Workload:
    return Workload(
        name="vector_chain", family="vector_chain",
        title=f"{VECTOR_OPS:,} elementwise ops on a {VECTOR_SIZE}-element float64 vector, "
              f"then sum: value and gradient, per op",
        reference="handwritten", target=2.0, unit="op", ops=VECTOR_OPS,
        makers=_makers(VECTOR_OPS, _vector_input(), vector=True),
        params={"n_ops": VECTOR_OPS, "size": VECTOR_SIZE})


# -- the general vector chain: x <- x + c * exp(tanh(x)) with c an array -----------------------
# Unlike ``chain`` (x * A and x + B with scalar constants, which reverse mode passes through
# without recording), every step here records real work: tanh, exp, an array product, a sum.
GENERAL_OPS = 1000


def general_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, VECTOR_SIZE), 0.01 * rng.uniform(-1.0, 1.0, VECTOR_SIZE)


def general_chain(m: Any, x: Any, c: Any, n_ops: int) -> Any:
    """``n_ops // 4`` steps of 4 ops: tanh, exp, times c, plus x; then the sum."""
    for _ in range(n_ops // 4):
        x = x + c * m.exp(m.tanh(x))
    return m.sum(x)


def general_makers(n_ops: int, jit: bool = False) -> dict:
    """Makers of value and gradient of ``general_chain``; ``jit``: compiled where a
    library can (wengert.jit, jax.jit), the others as they are."""
    x0, c = general_inputs()
    out2 = lambda out: (float(to_numpy(out[0])), flat(out[1]))

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        vg = wengert.value_and_grad(lambda x: general_chain(wnp, x, c, n_ops))
        if jit:
            vg = wengert.jit(vg)
            vg(x0)  # traced and compiled here, not in the timed calls
        return (lambda: vg(x0)), out2

    def wengert_tensor() -> tuple:
        wengert = load("wengert.tensor")
        import wengert.numpy as wnp

        def run() -> Any:
            x = wengert.tensor(x0, requires_grad=True)
            y = general_chain(wnp, x, c, n_ops)
            y.backward()
            return y, x.grad

        return run, out2

    def handwritten() -> tuple:
        hw = load("handwritten")
        return (lambda: hw.general_chain(x0, c, n_ops)), out2

    def torch() -> tuple:
        torch = load("torch")
        ct = torch.from_numpy(c)

        def run() -> Any:
            x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            y = general_chain(torch, x, ct, n_ops)
            y.backward()
            return y, x.grad

        return run, out2

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        cj, xj = jnp.asarray(c), jnp.asarray(x0)
        vg = jax.value_and_grad(lambda x: general_chain(jnp, x, cj, n_ops))
        if jit:
            vg = jax.jit(vg)
            jax.block_until_ready(vg(xj))
        return (lambda: jax.block_until_ready(vg(xj))), out2

    def autograd() -> tuple:
        autograd = load("autograd")
        import autograd.numpy as anp
        vg = autograd.value_and_grad(lambda x: general_chain(anp, x, c, n_ops))
        return (lambda: vg(x0)), out2

    makers = {"wengert": wengert, "wengert.tensor": wengert_tensor, "handwritten": handwritten,
              "torch": torch, "jax": jax, "autograd": autograd}
    if jit:  # the compiled comparison: the libraries that compile, and the floor
        makers = {k: makers[k] for k in ("wengert", "handwritten", "jax")}
    return makers


def general_vector_chain() -> Workload:
    return Workload(
        name="general_vector_chain", family="vector_chain",
        title=f"{GENERAL_OPS:,} ops x <- x + c*exp(tanh(x)) (c an array) on a {VECTOR_SIZE}-"
              f"element float64 vector, then sum: value and gradient, per op",
        reference="handwritten", target=None, unit="op", ops=GENERAL_OPS, tol=1e-9,
        makers=general_makers(GENERAL_OPS), params={"n_ops": GENERAL_OPS, "size": VECTOR_SIZE})


def workloads(quick: bool) -> list[Workload]:
    return [scalar_chain(10_000), scalar_chain(100_000), vector_chain(), general_vector_chain()]
