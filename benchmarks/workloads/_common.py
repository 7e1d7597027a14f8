"""What every workload family shares: loading the libraries, the workload record, checks.

The peers (torch, jax, autograd) are optional and are imported lazily, the first
time a workload asks for them, with their thread settings applied; a peer that
is not installed is reported as skipped, never an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Every library the suite knows, in table order.  ``wengert.tensor`` is wengert's
#: PyTorch-style API; ``handwritten`` is benchmarks/handwritten.py (the floor).
LIBRARIES = ("wengert", "wengert.tensor", "handwritten", "torch", "jax", "autograd")
PEERS = ("torch", "jax", "autograd")

XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

_modules: dict[str, Any] = {}
_skipped: dict[str, str] = {}


def load(name: str) -> Any:
    """The library's main module, or ``None`` (the reason is in :func:`skip_reason`)."""
    if name in _modules:
        return _modules[name]
    if name in _skipped:
        return None
    try:
        mod = _import(name)
    except ImportError as exc:  # an optional peer that is not installed
        _skipped[name] = f"not installed ({exc})"
        return None
    _modules[name] = mod
    return mod


def skip_reason(name: str) -> str | None:
    return _skipped.get(name)


def _import(name: str) -> Any:
    if name in ("wengert", "wengert.tensor"):
        import wengert
        return wengert
    if name == "handwritten":
        from .. import handwritten
        return handwritten
    if name == "torch":
        import torch
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set, or inter-op work already started
            pass
        return torch
    if name == "jax":
        os.environ.setdefault("XLA_FLAGS", XLA_FLAGS)
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        return jax
    if name == "autograd":
        import autograd
        return autograd
    raise ImportError(f"unknown library {name!r}")


# -- the chain used by workloads 2, 3 and 5 ---------------------------------------------------
#: One cycle is 4 ops: x = sin(x); x = x * A; x = x + B; x = tanh(x).  B is 1e-6 rather
#: than 0.01: with 0.01 the chain settles at x ≈ 0.27 where each cycle scales the
#: derivative by ≈ 0.89, so the gradient is ≈ 1e-122 after 10,000 ops and subnormal
#: (3e-323) after 100,000, and subnormal arithmetic would distort the timings.  With
#: 1e-6 the gradient stays a normal float (≈ 5e-9 after 100,000 ops).
CHAIN_A = 1.0001
CHAIN_B = 1e-6


def chain(m: Any, x: Any, n_ops: int) -> Any:
    """``n_ops`` elementwise ops (``n_ops // 4`` cycles) with ``m.sin`` and ``m.tanh``."""
    for _ in range(n_ops // 4):
        x = m.sin(x)
        x = x * CHAIN_A
        x = x + CHAIN_B
        x = m.tanh(x)
    return x


# -- the workload record ----------------------------------------------------------------------
#: A maker builds, outside any timing, the zero-argument callable to time and a
#: function turning its result into ``(value, [gradient arrays])`` for the checks.
Maker = Callable[[], tuple[Callable[[], Any], Callable[[Any], tuple[float, list]]]]


@dataclass
class Workload:
    name: str
    family: str
    title: str
    reference: str                      # the library whose median is the ratio's denominator
    makers: dict[str, Maker] = field(default_factory=dict)
    unit: str = "call"                  # "op": report median / ops
    ops: int = 1
    tol: float = 1e-6                   # relative tolerance of the check against handwritten
    target: float | None = None         # wengert / reference must be at most this
    target_lib: str = "wengert"
    relative_to: str | None = None      # a workload whose per-library medians give "x loss"
    target_on: str = "reference"        # or "relative_to": the target is on "x loss",
    # wengert's median over its own on the relative_to workload
    kind: str = "time"                  # or "memory"
    in_quick: bool = True               # part of --quick (an --only pattern can still pick it)
    params: dict[str, Any] = field(default_factory=dict)
    # A measurement of its own, ``measure(workload, libs, cfg) -> {lib: result}`` (the
    # result as a memory workload's: status, median, repeats ...), instead of the runner's.
    measure: Callable[..., dict] | None = None


# -- converting results for the checks --------------------------------------------------------
def to_numpy(x: Any) -> np.ndarray:
    """A plain float64-or-float32 array from numpy, wengert, torch or jax values."""
    module = type(x).__module__
    if module.startswith("wengert"):  # a wengert Tensor
        x = x.data
    elif module.startswith("torch"):
        x = x.detach().cpu().numpy()
    return np.array(x)


def flat(grads: Any) -> list[np.ndarray]:
    """Gradient leaves in a fixed order (dicts by sorted key)."""
    if isinstance(grads, dict):
        return [to_numpy(grads[k]) for k in sorted(grads)]
    if isinstance(grads, (tuple, list)):
        return [to_numpy(g) for g in grads]
    return [to_numpy(grads)]


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max|a - b| / max|b|`` (absolute when ``b`` is all zeros)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    diff = float(np.max(np.abs(a - b))) if b.size else 0.0
    return diff / scale if scale > 0 else diff


def compare(got: tuple[float, list], want: tuple[float, list]) -> float:
    """The largest relative error over the value and every gradient leaf."""
    (v, gs), (wv, wgs) = got, want
    if len(gs) != len(wgs):
        return float("inf")
    errs = [rel_error(np.asarray(v), np.asarray(wv))]
    errs += [rel_error(g, w) for g, w in zip(gs, wgs)]
    return max(errs)
