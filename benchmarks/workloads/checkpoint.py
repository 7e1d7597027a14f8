"""Workload 6: checkpointing a deep tanh network, the memory it saves and the time it costs.

    h_0 = X;  h_k = tanh(h_{k-1} @ W_k)  (k = 1..L);  loss = sum(h_L²) / batch

with L = 100 layers of width 1,000 and a batch of 256, float64 (``--quick``: 20 layers
of width 250, batch 64).  Data (seed 0): X ~ N(0, 1), W ~ N(0, 1/width).  The gradient
is taken with respect to every W_k, plainly and with ``checkpoint_sequential`` over 10
segments (``--quick``: 4), whose layers close over their (traced) weights.

* checkpoint_plain / checkpoint_seq: time of ``value_and_grad`` (a function of the list
  of weights); ``checkpoint_seq``'s "x own loss" is its median over
  ``checkpoint_plain``'s (the target: <= 1.5).  Hand-written NumPy backpropagation is
  timed beside both and checks the values.
* checkpoint_mem_plain / checkpoint_mem_seq: the tensor API (leaf weights, ``.grad``
  buffers kept and zeroed in place, ``loss.backward()``), each in a fresh subprocess,
  measured as ``memory.py`` does (VmHWM after clear_refs, above the resident set just
  before the call, which holds the weights and the .grad buffers).  The median is the
  peak of the forward pass: the activations the graph keeps for the backward pass,
  which is what checkpointing reduces, and the target (at least 4x lower:
  ``checkpoint_mem_seq``'s "x own" <= 0.25) is judged on it.  The peak with the
  backward pass is in the notes: it is dominated by the gradients (100 arrays of
  8 MB, 763 MiB), which the backward pass makes while it frees the activations, so it
  is about the same with or without checkpointing.
* checkpoint_mem_total_plain / checkpoint_mem_total_seq: the same for the whole
  ``value_and_grad`` (new gradient arrays included), reported without a target.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tracemalloc
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import memory
from ._common import Workload, flat, load, to_numpy

FULL = {"layers": 100, "width": 1000, "batch": 256, "segments": 10}
QUICK = {"layers": 20, "width": 250, "batch": 64, "segments": 4}
ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=2)
def make_data(layers: int, width: int, batch: int) -> tuple[list, np.ndarray]:
    rng = np.random.default_rng(0)
    ws = [rng.normal(0.0, 1.0 / np.sqrt(width), (width, width)) for _ in range(layers)]
    return ws, rng.normal(0.0, 1.0, (batch, width))


def handwritten(ws: list, x: np.ndarray) -> tuple[float, list]:
    """The loss and its gradients by hand: keep every h_k, sweep back."""
    hs = [x]
    for w in ws:
        hs.append(np.tanh(hs[-1] @ w))
    h = hs[-1]
    value = float(np.sum(h * h)) / x.shape[0]
    g = h * (2.0 / x.shape[0])
    grads = [np.empty(0)] * len(ws)
    for k in range(len(ws) - 1, -1, -1):
        g = g * (1.0 - hs[k + 1] * hs[k + 1])  # through tanh
        grads[k] = hs[k].T @ g
        g = g @ ws[k].T
        hs[k + 1] = None  # type: ignore[call-overload]
    return value, grads


def _grad_fn(seq: bool, size: dict) -> Any:
    """A zero-argument call returning (loss, gradients)."""
    wengert = load("wengert")
    import wengert.numpy as wnp
    ws, x = make_data(size["layers"], size["width"], size["batch"])

    def loss(ws: list) -> Any:
        if seq:
            layers = [lambda h, w=w: wnp.tanh(h @ w) for w in ws]
            h = wengert.checkpoint_sequential(layers, size["segments"])(x)
        else:
            h = x
            for w in ws:
                h = wnp.tanh(h @ w)
        return wnp.sum(h * h) / x.shape[0]
    vg = wengert.value_and_grad(loss)
    return lambda: vg(ws)


def _value_grads(out: Any) -> tuple[float, list]:
    return float(to_numpy(out[0])), flat(out[1])


def _tensor_fn(seq: bool, size: dict) -> tuple[Any, Any]:
    """The same gradient by the tensor API, as ``(forward, backward)``; the ``.grad``
    buffers are kept and zeroed in place between steps, as a training loop does."""
    wengert = load("wengert")
    ws, x = make_data(size["layers"], size["width"], size["batch"])
    wt = [wengert.tensor(w, requires_grad=True) for w in ws]
    layers = [lambda h, w=w: (h @ w).tanh() for w in wt]
    net = wengert.checkpoint_sequential(layers, size["segments"]) if seq else None

    def forward() -> Any:
        for w in wt:
            if w.grad is not None:
                w.grad.zero_()
        h = x
        if net is not None:
            h = net(x)
        else:
            for f in layers:
                h = f(h)
        return (h * h).sum() / x.shape[0]

    def backward(loss: Any) -> Any:
        loss.backward()
        return loss, [w.grad for w in wt]
    return forward, backward


def _time_makers(seq: bool, size: dict) -> dict:
    def hand() -> tuple:
        ws, x = make_data(size["layers"], size["width"], size["batch"])
        return (lambda: handwritten(ws, x)), _value_grads
    return {"wengert": lambda: (_grad_fn(seq, size), _value_grads), "handwritten": hand}


# -- memory, in fresh subprocesses --------------------------------------------------------
def child(variant: str, size: dict) -> dict:
    """Measure one variant in this (fresh) process (peaks above the resident set just
    before the call: the weights, and the tensors' .grad buffers, are in it)."""
    seq = variant.endswith("seq")
    if variant.startswith("tensor"):
        forward, backward = _tensor_fn(seq, size)
        fn = lambda: backward(forward())  # noqa: E731
    else:
        forward = None
        fn = _grad_fn(seq, size)
    out = fn()
    value = float(to_numpy(out[0]))
    grad_bytes = sum(g.nbytes for g in flat(out[1]))
    del out
    gc.collect()
    reset = memory._reset_peak()
    base_kb = memory._status_kb("VmRSS") or 0
    result: dict = {"variant": variant, "value": value, "gradient_bytes": grad_bytes,
                    "baseline_bytes": base_kb * 1024, "rss": reset}
    if forward is not None:  # what the graph holds for the backward pass, then the rest
        loss = forward()
        result["forward_peak_bytes"] = ((memory._status_kb("VmHWM") or 0) - base_kb) * 1024
        result["retained_bytes"] = ((memory._status_kb("VmRSS") or 0) - base_kb) * 1024
        out = backward(loss)
        del loss
    else:
        out = fn()
    result["peak_bytes"] = ((memory._status_kb("VmHWM") or 0) - base_kb) * 1024
    del out
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = fn()
    result["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del out
    return result


def _run_child(variant: str, size: dict) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.workloads.checkpoint", variant, json.dumps(size)]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")},
           **memory.MALLOC_ENV}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def _measure_memory(variant: str, size: dict) -> Any:
    def measure(w: Workload, libs: list[str], cfg: Any) -> dict:
        if "wengert" not in libs:
            return {}
        runs = [_run_child(variant, size) for _ in range(cfg.memory_reps)]
        bad = [r for r in runs if "error" in r]
        if bad:
            return {"wengert": {"status": "error", "reason": bad[0]["error"]}}
        if not runs[0]["rss"]:
            return {"wengert": {"status": "error",
                                "reason": "the kernel's peak counter cannot be reset here"}}
        med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
        key = "forward_peak_bytes" if variant.startswith("tensor") else "peak_bytes"
        res = {"status": "ok", "median": med(key), "peaks": [r[key] for r in runs],
               "total_peak_bytes": med("peak_bytes"), "gradient_bytes": runs[0]["gradient_bytes"],
               "baseline_bytes": runs[0]["baseline_bytes"], "method": "VmHWM after clear_refs",
               "tracemalloc_peak_bytes": med("tracemalloc_peak_bytes"),
               "repeats": len(runs), "inner": 1}
        if variant.startswith("tensor"):
            res["retained_bytes"] = med("retained_bytes")
        return {"wengert": res}
    return measure


def workloads(quick: bool) -> list[Workload]:
    size = QUICK if quick else FULL
    desc = (f"{size['layers']}-layer tanh network, width {size['width']:,}, batch "
            f"{size['batch']}, float64")
    seq = f"checkpoint_sequential, {size['segments']} segments"
    return [
        Workload(name="checkpoint_plain", family="checkpoint", reference="handwritten",
                 title=f"value_and_grad of a {desc}", makers=_time_makers(False, size),
                 params=size),
        Workload(name="checkpoint_seq", family="checkpoint", reference="handwritten",
                 title=f"value_and_grad of a {desc}, {seq}", makers=_time_makers(True, size),
                 relative_to="checkpoint_plain", target=1.5, target_on="relative_to",
                 params=size),
        Workload(name="checkpoint_mem_plain", family="checkpoint", kind="memory",
                 reference="wengert", unit="bytes",
                 title=f"peak memory of the forward pass (what the graph keeps for the "
                       f"backward pass), tensor API, {desc}",
                 measure=_measure_memory("tensor_plain", size), params=size),
        Workload(name="checkpoint_mem_seq", family="checkpoint", kind="memory",
                 reference="wengert", unit="bytes", relative_to="checkpoint_mem_plain",
                 target=0.25, target_on="relative_to", measure=_measure_memory("tensor_seq", size),
                 params=size,
                 title=f"peak memory of the forward pass (what the graph keeps for the "
                       f"backward pass), tensor API, {desc}, {seq}"),
        Workload(name="checkpoint_mem_total_plain", family="checkpoint", kind="memory",
                 reference="wengert", unit="bytes",
                 title=f"peak memory of value_and_grad (new gradient arrays included), {desc}",
                 measure=_measure_memory("plain", size), params=size),
        Workload(name="checkpoint_mem_total_seq", family="checkpoint", kind="memory",
                 reference="wengert", unit="bytes", relative_to="checkpoint_mem_total_plain",
                 measure=_measure_memory("seq", size), params=size,
                 title=f"peak memory of value_and_grad (new gradient arrays included), {desc}, "
                       f"{seq}"),
    ]


if __name__ == "__main__":  # a memory subprocess: python -m benchmarks.workloads.checkpoint
    print(json.dumps(child(sys.argv[1], json.loads(sys.argv[2]))))
