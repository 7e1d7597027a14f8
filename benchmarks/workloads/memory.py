"""Workload 5: peak memory of the gradient of a 200-op chain on 1,000,000 float64 elements.

Each library runs in a fresh subprocess (``run.py --memory-child LIB``), which:

1. imports the library, makes the input (uniform in [-1, 1], seed 0) and
   converts it to the library's array type (a leaf with ``requires_grad`` for
   the tensor APIs), and builds the gradient function;
2. makes one warm-up call (JAX's per-shape kernels, PyTorch's autograd engine)
   and frees its result;
3. resets the kernel's peak-RSS counter (``echo 5 > /proc/self/clear_refs``),
   reads the resident set as the baseline, makes one gradient call, and reads
   the peak (``VmHWM``): the reported number is peak - baseline.  Where the
   counter cannot be reset it falls back to ``ru_maxrss`` (then a peak from the
   imports could hide a smaller one);
4. for the NumPy-based libraries, calls once more under ``tracemalloc`` and
   reports its peak (NumPy reports its array buffers to tracemalloc).

glibc's mmap threshold is fixed at 1 MiB in these subprocesses
(``MALLOC_MMAP_THRESHOLD_=1048576``), so every freed buffer of 1 MiB or more goes
back to the OS and RSS follows live memory.  With glibc's default, the threshold
rises after the first large free, later buffers stay on the heap, and the
warm-up's pages hide the measured call's peak (torch then read 0 MiB).

The function is ``sum(chain(x))`` with ``_common.chain`` (50 cycles of sin, *A,
+B, tanh); it returns the value and the gradient, which is checked against the
hand-written one on 100 evenly spaced elements.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from ._common import Workload, chain, flat, load, skip_reason, to_numpy

N_ELEMENTS = 1_000_000
N_OPS = 200
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "1048576"}
NUMPY_BASED = ("wengert", "wengert.tensor", "handwritten", "autograd")


def _maker(lib: str, x: np.ndarray, n_ops: int) -> Any:
    """A zero-argument gradient call; leaves and conversions are made here, before the baseline."""
    if lib == "handwritten":
        hw = load(lib)
        return lambda: hw.vector_chain(x, n_ops)
    if lib == "wengert":
        wengert = load(lib)
        import wengert.numpy as wnp
        vg = wengert.value_and_grad(lambda v: wnp.sum(chain(wnp, v, n_ops)))
        return lambda: vg(x)
    if lib == "wengert.tensor":
        wengert = load(lib)
        import wengert.numpy as wnp
        xt = wengert.tensor(x, requires_grad=True)

        def run_tensor() -> Any:
            xt.grad = None
            y = wnp.sum(chain(wnp, xt, n_ops))
            y.backward()
            return y, xt.grad
        return run_tensor
    if lib == "torch":
        torch = load(lib)
        xt = torch.from_numpy(x.copy()).requires_grad_(True)

        def run_torch() -> Any:
            xt.grad = None
            y = torch.sum(chain(torch, xt, n_ops))
            y.backward()
            return y, xt.grad
        return run_torch
    if lib == "jax":
        jax = load(lib)
        import jax.numpy as jnp
        xj = jnp.asarray(x)
        vg = jax.value_and_grad(lambda v: jnp.sum(chain(jnp, v, n_ops)))
        return lambda: jax.block_until_ready(vg(xj))
    if lib == "autograd":
        autograd = load(lib)
        import autograd.numpy as anp
        vg = autograd.value_and_grad(lambda v: anp.sum(chain(anp, v, n_ops)))
        return lambda: vg(x)
    raise ValueError(f"unknown library {lib!r}")


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _status_kb("VmHWM") is not None
    except OSError:
        return False


def child(lib: str, n: int = N_ELEMENTS, n_ops: int = N_OPS) -> dict:
    """Measure one library in this (fresh) process; the result is printed as JSON."""
    mod = load(lib)
    if mod is None:
        return {"library": lib, "skipped": skip_reason(lib)}
    x = np.random.default_rng(0).uniform(-1.0, 1.0, n)
    fn = _maker(lib, x, n_ops)
    out = fn()                                  # warm-up, and the values for the check
    value, grads = float(to_numpy(out[0])), flat(out[1])
    step = max(1, n // 100)
    sample = grads[0][::step].tolist()
    del out, grads
    gc.collect()
    reset = _reset_peak()
    base_kb = _status_kb("VmRSS") or 0
    if not reset:
        base_kb = max(base_kb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    out = fn()
    if reset:
        peak_kb, method = _status_kb("VmHWM") or 0, "VmHWM after clear_refs"
    else:
        peak_kb, method = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"
    del out
    gc.collect()
    traced = None
    if lib in NUMPY_BASED:
        tracing = tracemalloc.is_tracing()
        if not tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = fn()
        traced = tracemalloc.get_traced_memory()[1] - before
        if not tracing:
            tracemalloc.stop()
        del out
    return {"library": lib, "peak_bytes": (peak_kb - base_kb) * 1024,
            "baseline_bytes": base_kb * 1024, "method": method,
            "tracemalloc_peak_bytes": traced, "value": value, "grad_sample": sample}


def run_child(run_py: Path, lib: str, n: int, n_ops: int, timeout: float = 600) -> dict:
    """Run :func:`child` in a fresh interpreter (same environment) and parse its answer."""
    cmd = [sys.executable, str(run_py), "--memory-child", lib,
           "--memory-size", str(n), "--memory-ops", str(n_ops)]
    # the timing runs' malloc settings (freed memory kept) would hide the peak: replaced
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")},
           **MALLOC_ENV}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"library": lib, "error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def measure(run_py: Path, libs: list[str], repeats: int, n: int, n_ops: int) -> dict:
    """Round-robin ``repeats`` fresh subprocesses per library; medians of the peaks."""
    runs: dict[str, list[dict]] = {lib: [] for lib in libs}
    for r in range(repeats):
        order = libs[r % len(libs):] + libs[:r % len(libs)]
        for lib in order:
            runs[lib].append(run_child(run_py, lib, n, n_ops))
    out = {}
    for lib, rs in runs.items():
        bad = [x for x in rs if "peak_bytes" not in x]
        if bad:
            out[lib] = bad[0]
            continue
        peaks = [x["peak_bytes"] for x in rs]
        traced = [x["tracemalloc_peak_bytes"] for x in rs if x["tracemalloc_peak_bytes"]]
        out[lib] = {**rs[0], "peak_bytes": statistics.median(peaks), "peaks": peaks,
                    "tracemalloc_peak_bytes": statistics.median(traced) if traced else None}
    return out


def workloads(quick: bool) -> list[Workload]:
    return [Workload(
        name="memory_chain", family="memory", kind="memory",
        title=f"peak RSS above baseline of value_and_grad of sum(chain) with {N_OPS} ops on "
              f"{N_ELEMENTS:,} float64 elements",
        reference="torch", target=1.0, unit="bytes",
        makers={lib: (lambda: None) for lib in
                ("wengert", "wengert.tensor", "handwritten", "torch", "jax", "autograd")},
        params={"n": N_ELEMENTS, "n_ops": N_OPS, "subprocess_env": MALLOC_ENV})]
