"""Workloads of ``wengert.jit``: compiled value and gradient, and the compile times.

"wengert" is ``wengert.jit`` of the transform here, and "jax" is ``jax.jit`` of JAX's;
the eager numbers are in the other families (seed, vector_chain, mlp).

* jit_seed / jit_seed_vs_jax: the seed's value and gradient (targets: at most 4x
  hand-written, at most 0.25x jax.jit), per call.
* jit_general_chain: the general vector chain (``chains.general_chain``), 1,000 ops,
  per op (target: 1.5x hand-written).
* jit_mlp_grad_<dtype>: the MLP's loss and gradient (target: 1.05x hand-written).
* jit_hessian_200: the Hessian of ``sum(tanh(A x))``, n = 200 (``jit(hessian)``: one
  batched pass over the basis vectors, compiled).
* jit_compile_<workload>: one call of a freshly made jitted function (trace, optimise,
  generate, compile, run): the compile time, beside jax.jit's (lower + compile + run).
  jit_compile_chain_100k is the 100,000-op scalar chain (target: under 10 s; jax.jit
  takes more than 75 s on it, so it is left out).

``python -m benchmarks.workloads.jit --mlp-peak`` prints the MLP gradient's peak
memory (tracemalloc: NumPy reports its buffers) eager, under jit and hand-written.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import chains, mlp, seed
from ._common import Workload, chain, flat, load, to_numpy

HESSIAN_N = 200


def _hessian_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(0.0, 1.0 / np.sqrt(HESSIAN_N), (HESSIAN_N, HESSIAN_N)), \
        rng.uniform(-1.0, 1.0, HESSIAN_N)


def _value_grads(out: Any) -> tuple[float, list]:
    return float(to_numpy(out[0])), flat(out[1])


# -- the makers ------------------------------------------------------------------------
def _seed_makers(fresh: bool = False) -> dict:
    """``fresh``: every call builds a new jitted function (the compile time)."""
    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        make = lambda: wengert.jit(wengert.value_and_grad(  # noqa: E731
            lambda x1, x2: seed._f(wnp, x1, x2), argnums=(0, 1)))
        if fresh:
            return (lambda: make()(seed.X1, seed.X2)), _value_grads
        vg = make()
        vg(seed.X1, seed.X2)  # traced and compiled here, not in the timed calls
        return (lambda: vg(seed.X1, seed.X2)), _value_grads

    def handwritten() -> tuple:
        hw = load("handwritten")
        return (lambda: hw.seed(seed.X1, seed.X2)), _value_grads

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        make = lambda: jax.jit(jax.value_and_grad(  # noqa: E731
            lambda x1, x2: seed._f(jnp, x1, x2), argnums=(0, 1)))
        sync = jax.block_until_ready
        if fresh:
            return (lambda: sync(make()(seed.X1, seed.X2))), _value_grads
        vg = make()
        sync(vg(seed.X1, seed.X2))
        return (lambda: sync(vg(seed.X1, seed.X2))), _value_grads

    return {"wengert": wengert, "handwritten": handwritten, "jax": jax}


def _chain_compile_makers(n_ops: int) -> dict:
    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        run = lambda: wengert.jit(wengert.value_and_grad(  # noqa: E731
            lambda x: chain(wnp, x, n_ops)))(chains.X0)
        return run, (lambda out: (float(out[0]), flat(out[1])))

    def handwritten() -> tuple:
        hw = load("handwritten")
        return (lambda: hw.scalar_chain(chains.X0, n_ops)), (lambda out: (out[0], flat(out[1])))

    return {"wengert": wengert, "handwritten": handwritten}


def _general_compile_makers() -> dict:
    x0, c = chains.general_inputs()
    n = chains.GENERAL_OPS

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        run = lambda: wengert.jit(wengert.value_and_grad(  # noqa: E731
            lambda x: chains.general_chain(wnp, x, c, n)))(x0)
        return run, _value_grads

    def handwritten() -> tuple:
        hw = load("handwritten")
        return (lambda: hw.general_chain(x0, c, n)), _value_grads

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        cj, xj = jnp.asarray(c), jnp.asarray(x0)
        run = lambda: jax.block_until_ready(jax.jit(jax.value_and_grad(  # noqa: E731
            lambda x: chains.general_chain(jnp, x, cj, n)))(xj))
        return run, _value_grads

    return {"wengert": wengert, "handwritten": handwritten, "jax": jax}


def _mlp_makers(dtype: Any, fresh: bool = False) -> dict:
    data = lambda: mlp.make_data(np.dtype(dtype).name)  # noqa: E731

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        P, _, X, Y = data()
        make = lambda: wengert.jit(wengert.value_and_grad(  # noqa: E731
            lambda p: mlp.loss(wnp, p, X, Y)))
        if fresh:
            return (lambda: make()(P)), _value_grads
        vg = make()
        vg(P)
        return (lambda: vg(P)), _value_grads

    def handwritten() -> tuple:
        hw = load("handwritten")
        P, _, X, Y = data()
        return (lambda: hw.mlp_value_and_grad(P, X, Y)), _value_grads

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        P, _, X, Y = data()
        Pj = {k: jnp.asarray(v) for k, v in P.items()}
        Xj, Yj = jnp.asarray(X), jnp.asarray(Y)
        make = lambda: jax.jit(jax.value_and_grad(  # noqa: E731
            lambda p: mlp.loss(jnp, p, Xj, Yj)))
        sync = jax.block_until_ready
        if fresh:
            return (lambda: sync(make()(Pj))), _value_grads
        vg = make()
        sync(vg(Pj))
        return (lambda: sync(vg(Pj))), _value_grads

    return {"wengert": wengert, "handwritten": handwritten, "jax": jax}


def _hessian_makers(fresh: bool = False) -> dict:
    A, x = _hessian_data()
    norm = lambda out: (0.0, [to_numpy(out)])  # noqa: E731

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        make = lambda: wengert.jit(wengert.hessian(  # noqa: E731
            lambda v: wnp.sum(wnp.tanh(A @ v))))
        if fresh:
            return (lambda: make()(x)), norm
        h = make()
        h(x)
        return (lambda: h(x)), norm

    def handwritten() -> tuple:
        hw = load("handwritten")
        return (lambda: hw.tanh_hessian(A, x)), norm

    def jax() -> tuple:
        jax = load("jax")
        import jax.numpy as jnp
        Aj, xj = jnp.asarray(A), jnp.asarray(x)
        make = lambda: jax.jit(jax.hessian(lambda v: jnp.sum(jnp.tanh(Aj @ v))))  # noqa: E731
        if fresh:
            return (lambda: jax.block_until_ready(make()(xj))), norm
        h = make()
        h(xj)
        return (lambda: jax.block_until_ready(h(xj))), norm

    return {"wengert": wengert, "handwritten": handwritten, "jax": jax}


# -- the workloads ---------------------------------------------------------------------
def workloads(quick: bool) -> list[Workload]:
    out = [
        Workload(name="jit_seed", family="jit",
                 title="jit(value_and_grad) of the seed f(x1,x2) at (2, 5), per call",
                 reference="handwritten", target=4.0, makers=_seed_makers()),
        Workload(name="jit_seed_vs_jax", family="jit",
                 title="jit(value_and_grad) of the seed, against jax.jit, per call",
                 reference="jax", target=0.25, makers=_seed_makers()),
        Workload(name="jit_general_chain", family="jit",
                 title=f"jit(value_and_grad) of the general vector chain "
                       f"({chains.GENERAL_OPS:,} ops x <- x + c*exp(tanh(x)), n = "
                       f"{chains.VECTOR_SIZE}), per op",
                 reference="handwritten", target=1.5, unit="op", ops=chains.GENERAL_OPS,
                 tol=1e-9, makers=chains.general_makers(chains.GENERAL_OPS, jit=True)),
    ]
    for dtype, tag, tol in ((np.float32, "f32", 1e-3), (np.float64, "f64", 1e-6)):
        out.append(Workload(
            name=f"jit_mlp_grad_{tag}", family="jit",
            title=f"jit(value_and_grad) of the MLP 784-1024-1024-10, batch 64, "
                  f"{np.dtype(dtype).name}",
            reference="handwritten", target=1.05, tol=tol, makers=_mlp_makers(dtype),
            params={"dtype": np.dtype(dtype).name}))
    out.append(Workload(
        name="jit_hessian_200", family="jit",
        title=f"jit(hessian) of sum(tanh(A x)), n = {HESSIAN_N} (vmap over the basis)",
        reference="jax", target=1.5, tol=1e-9,
        makers=_hessian_makers()))
    compile_title = "compile time: one call of a freshly made jitted function, {}"
    out += [
        Workload(name="jit_compile_seed", family="jit_compile", reference="jax",
                 title=compile_title.format("seed value and gradient"),
                 makers=_seed_makers(fresh=True)),
        Workload(name="jit_compile_general_chain", family="jit_compile", reference="jax",
                 title=compile_title.format("general vector chain, value and gradient"),
                 tol=1e-9, makers=_general_compile_makers()),
        Workload(name="jit_compile_mlp_f64", family="jit_compile", reference="jax",
                 title=compile_title.format("MLP float64 value and gradient"),
                 makers=_mlp_makers(np.float64, fresh=True)),
        Workload(name="jit_compile_hessian_200", family="jit_compile", reference="jax",
                 title=compile_title.format(f"hessian n = {HESSIAN_N}"), tol=1e-9,
                 makers=_hessian_makers(fresh=True)),
        Workload(name="jit_compile_chain_100k", family="jit_compile", reference="wengert",
                 in_quick=False,
                 title=compile_title.format("100,000-op scalar chain, value and gradient "
                                            "(target: under 10 s; jax.jit takes > 75 s)"),
                 makers=_chain_compile_makers(100_000)),
    ]
    return out


# -- peak memory of the MLP gradient ---------------------------------------------------
def mlp_peaks(dtype: Any) -> dict[str, int]:
    """tracemalloc peaks (bytes) of one MLP value-and-gradient call, after a warm-up."""
    import gc
    import tracemalloc

    import wengert
    import wengert.numpy as wnp

    from .. import handwritten as hw
    P, _, X, Y = mlp.make_data(np.dtype(dtype).name)
    f = lambda p: mlp.loss(wnp, p, X, Y)  # noqa: E731
    calls = {"wengert (eager)": wengert.value_and_grad(f),
             "wengert.jit": wengert.jit(wengert.value_and_grad(f)),
             "handwritten": lambda p: hw.mlp_value_and_grad(p, X, Y)}
    peaks = {}
    for name, fn in calls.items():
        fn(P)
        gc.collect()
        tracemalloc.start()
        fn(P)
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peaks


if __name__ == "__main__" and "--mlp-peak" in sys.argv:  # pragma: no cover
    for dt in (np.float32, np.float64):
        for lib, peak in mlp_peaks(dt).items():
            print(f"{np.dtype(dt).name}  {lib:<16} {peak / 2**20:8.2f} MiB")
