"""Cost of one step of the paper's MLP: loss only, forward gradient, backprop.

The network is 784-1024-1024-10 with ReLU and softmax cross-entropy, batch 64
(Baydin et al., 2022, Sec. 5.3).  For each implementation we time, side by
side in one run (interleaved rounds, medians):

* ``loss``: evaluating the loss only;
* ``forward``: a forward-gradient step, i.e. drawing ``v ~ N(0, I)`` for every
  parameter, one ``jvp`` and scaling ``v`` by the directional derivative;
* ``backprop``: value and gradient by reverse mode;

and report ``R_f = t(forward)/t(loss)``, ``R_b = t(backprop)/t(loss)``
(paper: 2.46 and 4.17 on a GPU).  The implementations: wengert, hand-written
NumPy (forward mode and backprop written out), and PyTorch CPU if installed.
The timings run in a fresh process (see :func:`_in_subprocess`), single-threaded
by default: on a shared 2-core machine multi-threaded BLAS timings scatter by a
factor of 2-5, single-threaded ones by a few percent.
Peak memory is the rise of the peak resident set during one warm step.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..forward_grad import forward_grad, sample_direction
from ..nn import MLP, softmax_cross_entropy
from ..transforms import value_and_grad

PAPER = {"R_f": 2.46, "R_b": 4.17}
Step = Callable[[], Any]


# -- hand-written NumPy -------------------------------------------------------------
def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def np_loss(params: list, x: np.ndarray, y: np.ndarray) -> float:
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = np.maximum(h, 0)
    return float(-_log_softmax(h)[np.arange(len(y)), y].mean())


def np_directions(params: list, rng: np.random.Generator) -> list:
    return [(rng.standard_normal(w.shape, dtype=w.dtype),
             rng.standard_normal(b.shape, dtype=b.dtype)) for w, b in params]


def np_forward_grad(params: list, x: np.ndarray, y: np.ndarray,
                    rng: np.random.Generator) -> tuple[float, list]:
    """Forward mode by hand: push the tangent ``(h, ḣ)`` through every layer."""
    dirs = np_directions(params, rng)
    h, t = x, None
    for i, ((w, b), (vw, vb)) in enumerate(zip(params, dirs)):
        t = h @ vw + vb if t is None else t @ w + h @ vw + vb
        h = h @ w + b
        if i < len(params) - 1:
            mask = h > 0
            h, t = h * mask, t * mask
    logp = _log_softmax(h)
    n = len(y)
    onehot = np.zeros_like(h)
    onehot[np.arange(n), y] = 1
    dd = float(((np.exp(logp) - onehot) * t).sum() / n)   # ∇L·v
    return float(-logp[np.arange(n), y].mean()), [(dd * vw, dd * vb) for vw, vb in dirs]


def np_backprop(params: list, x: np.ndarray, y: np.ndarray) -> tuple[float, list]:
    """Reverse mode by hand: keep the activations, then sweep back."""
    acts, h = [x], x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = np.maximum(h, 0)
        acts.append(h)
    logp = _log_softmax(h)
    n = len(y)
    d = np.exp(logp)
    d[np.arange(n), y] -= 1
    d /= n
    grads = []
    for i in range(len(params) - 1, -1, -1):
        w = params[i][0]
        grads.append((acts[i].T @ d, d.sum(axis=0)))
        if i:
            d = (d @ w.T) * (acts[i] > 0)
    return float(-logp[np.arange(n), y].mean()), grads[::-1]


# -- the three implementations as step functions ------------------------------------
def _data(sizes: tuple[int, ...], batch: int, dtype: Any, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x = rng.random((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    return x, y, MLP(list(sizes), dtype=dtype).init(rng)


def wengert_steps(sizes: tuple[int, ...], batch: int, dtype: Any, seed: int) -> dict[str, Step]:
    x, y, params = _data(sizes, batch, dtype, seed)
    net = MLP(list(sizes), dtype=dtype)
    rng = np.random.default_rng(seed + 1)

    def loss(p: Any) -> Any:
        return softmax_cross_entropy(net(p, x), y)

    vg = value_and_grad(loss)
    return {"loss": lambda: loss(params),
            "sample": lambda: sample_direction(params, rng),
            "forward": lambda: forward_grad(loss, params, rng=rng),
            "backprop": lambda: vg(params)}


def numpy_steps(sizes: tuple[int, ...], batch: int, dtype: Any, seed: int) -> dict[str, Step]:
    x, y, p = _data(sizes, batch, dtype, seed)
    params = [(layer["w"], layer["b"]) for layer in p if layer]
    rng = np.random.default_rng(seed + 1)
    return {"loss": lambda: np_loss(params, x, y),
            "sample": lambda: np_directions(params, rng),
            "forward": lambda: np_forward_grad(params, x, y, rng),
            "backprop": lambda: np_backprop(params, x, y)}


def torch_steps(sizes: tuple[int, ...], batch: int, dtype: Any,
                seed: int) -> dict[str, Step] | None:
    try:
        import torch
        from torch.func import jvp as torch_jvp
    except ImportError:
        return None
    x, y, p = _data(sizes, batch, dtype, seed)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    params = [torch.from_numpy(a).requires_grad_() for layer in p if layer
              for a in (layer["w"], layer["b"])]
    gen = torch.Generator().manual_seed(seed + 1)

    def loss(*ps: Any) -> Any:
        h = tx
        for i in range(0, len(ps), 2):
            h = h @ ps[i] + ps[i + 1]
            if i < len(ps) - 2:
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, ty)

    def sample() -> tuple:
        return tuple(torch.randn(q.shape, generator=gen, dtype=q.dtype) for q in params)

    def forward() -> Any:
        with torch.no_grad():
            vs = sample()
            prim = tuple(q.detach() for q in params)
            value, dd = torch_jvp(loss, prim, vs)[:2]
            return value, [dd * v for v in vs]

    def backprop() -> Any:
        value = loss(*params)
        return value, torch.autograd.grad(value, params)

    def loss_only() -> Any:
        with torch.no_grad():
            return loss(*params)

    return {"loss": loss_only, "sample": sample, "forward": forward, "backprop": backprop}


# -- measuring ------------------------------------------------------------------------
IMPLS: dict[str, Callable[..., dict[str, Step] | None]] = {
    "wengert": wengert_steps, "numpy": numpy_steps, "torch": torch_steps}


def time_side_by_side(steps: dict[str, Step], repeats: int, warmup: int) -> dict[str, float]:
    """Median seconds per call; each round calls every step once, in rotating order."""
    flat = list(steps.items())
    for _ in range(warmup):
        for _, fn in flat:
            fn()
    times: dict[str, list[float]] = {name: [] for name, _ in flat}
    gc.collect()
    gc.disable()  # a collection inside one timed call would skew that call only
    try:
        for r in range(repeats):
            for k in range(len(flat)):
                name, fn = flat[(k + r) % len(flat)]
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return {name: float(np.median(ts)) for name, ts in times.items()}


def _rss(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{key} not in /proc/self/status")


def peak_rss_rise(fn: Step) -> int:
    """How far the peak RSS rises above the current RSS during ``fn()`` (Linux only)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak-RSS counter (VmHWM)
    base = _rss("VmRSS")
    result = fn()
    peak = _rss("VmHWM") - base
    del result
    return peak


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _in_subprocess(mode: str, impl: str, sizes: tuple[int, ...], batch: int, dtype: Any,
                   seed: int, threads: int | None, repeats: int = 0,
                   warmup: int = 0) -> dict:
    """Run :func:`_worker` in a fresh Python and return its JSON answer.

    A fresh process is the only way to choose the thread count of NumPy's BLAS
    and PyTorch (fixed once loaded), and gives the memory probe a clean allocator.
    """
    env = dict(os.environ)
    if threads is not None:
        env.update(dict.fromkeys(_THREAD_VARS, str(threads)))
    if mode == "memory":
        # glibc: serve every block over 64 KiB with mmap and return freed memory at
        # once, so the resident set follows the live allocations of NumPy and PyTorch
        env.update(MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    args = [sys.executable, "-m", "wengert.experiments.mlp_timing", mode, impl,
            ",".join(map(str, sizes)), str(batch), np.dtype(dtype).name, str(seed),
            str(repeats), str(warmup)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=1200)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"mlp_timing {mode} probe for {impl} failed:\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def _worker(argv: list[str]) -> None:
    mode, impls, sizes, batch, dtype, seed, repeats, warmup = argv
    shape = tuple(int(s) for s in sizes.split(","))
    made = {impl: IMPLS[impl](shape, int(batch), np.dtype(dtype), int(seed))
            for impl in impls.split(",")}
    if mode == "time":  # every step of every implementation, interleaved round by round
        flat = {f"{impl}/{name}": fn for impl, steps in made.items() if steps is not None
                for name, fn in steps.items()}
        times = time_side_by_side(flat, int(repeats), int(warmup))
        out: dict = {}
        for key, t in times.items():
            impl, name = key.split("/")
            out.setdefault(impl, {})[name] = t
        print(json.dumps(out))
        return
    steps = next(iter(made.values()))
    if steps is None:
        print(json.dumps({"unavailable": True}))
        return
    peaks = {}
    for name, fn in steps.items():
        if name != "sample":
            fn()
            fn()  # warm: lazy initialisation is not part of a step's memory
            peaks[name] = peak_rss_rise(fn)
    print(json.dumps(peaks))


def run(sizes: tuple[int, ...] = (784, 1024, 1024, 10), batch: int = 64, repeats: int = 50,
        warmup: int = 3, dtype: Any = np.float32, seed: int = 0, torch: bool = True,
        memory: bool = True, threads: int | None = 1) -> dict:
    """Times, ratios and peak memory for every implementation available.

    Single-threaded, the timings come from one process calling every step of
    every implementation once per round, so all of them see the same machine;
    with ``threads`` > 1 (``None``: the libraries' defaults) each library gets a
    process of its own.  The memory of each implementation is probed in a
    process of its own.
    """
    result: dict = {"sizes": list(sizes), "batch": batch, "dtype": np.dtype(dtype).name,
                    "repeats": repeats, "threads": threads, "paper": PAPER, "impl": {}}
    impls = [i for i in IMPLS if torch or i != "torch"]
    # Several threads: one process per library, or their idle thread pools (OpenMP
    # spins after each call) would take the cores from one another.
    groups = [impls] if threads == 1 else [[i] for i in impls]
    timed: dict = {}
    for group in groups:
        timed.update(_in_subprocess("time", ",".join(group), sizes, batch, dtype, seed,
                                    threads, repeats, warmup))
    for impl, t in timed.items():
        mem = _in_subprocess("memory", impl, sizes, batch, dtype, seed, threads) if memory else {}
        result["impl"][impl] = {
            "seconds": t, "R_f": t["forward"] / t["loss"], "R_b": t["backprop"] / t["loss"],
            "R_f_without_sampling": (t["forward"] - t["sample"]) / t["loss"],
            "forward_vs_backprop": t["forward"] / t["backprop"], "peak_bytes": mem}
    return result


def format_table(result: dict) -> str:
    """The results as a Markdown table."""
    lines = [f"MLP {'-'.join(map(str, result['sizes']))}, batch {result['batch']}, "
             f"{result['dtype']}, {result['threads'] or 'default'} thread(s), "
             f"medians of {result['repeats']} interleaved rounds",
             "",
             "| implementation | loss (ms) | draw v (ms) | forward grad (ms) | backprop (ms) "
             "| R_f | R_f without drawing v | R_b | t_fwd/t_bwd | peak MB loss / fwd / bwd |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for impl, r in result["impl"].items():
        s, m = r["seconds"], r["peak_bytes"]
        mb = " / ".join("n/a" if m.get(k) is None else f"{m[k] / 2**20:.2f}"
                        for k in ("loss", "forward", "backprop"))
        ms = " | ".join(f"{1e3 * s[k]:.2f}" for k in ("loss", "sample", "forward", "backprop"))
        lines.append(f"| {impl} | {ms} | {r['R_f']:.2f} | {r['R_f_without_sampling']:.2f} | "
                     f"{r['R_b']:.2f} | {r['forward_vs_backprop']:.2f} | {mb} |")
    p = result["paper"]
    lines.append(f"| paper (GPU) | | | | | {p['R_f']:.2f} | | {p['R_b']:.2f} | | |")
    return "\n".join(lines)


if __name__ == "__main__":  # the measuring process started by _in_subprocess
    _worker(sys.argv[1:])
