"""The benchmark runner runs: one tiny workload, wengert and handwritten only, no peers.

Speed and memory are measured by ``python benchmarks/run.py``, never asserted here.
"""

from __future__ import annotations

import math

from benchmarks import run
from benchmarks.workloads import memory


def _quiet(*args: object) -> None:
    pass


def test_runner_times_and_checks_one_workload() -> None:
    doc = run.run_benchmarks(only=["seed"], libs=["wengert", "handwritten"], mode="tiny",
                             log=_quiet)
    (w,) = doc["workloads"]
    assert w["name"] == "seed"
    assert set(w["results"]) == {"wengert", "handwritten"}
    r = w["results"]["wengert"]
    assert r["status"] == "ok", r
    assert math.isfinite(r["median"]) and r["median"] > 0
    assert r["repeats"] >= 1 and r["inner"] >= 1
    assert r["max_rel_err"] <= 1e-6
    assert "versions" in doc["meta"] and "machine" in doc["meta"]
    run.print_table(doc, log=_quiet)
    assert "| seed | wengert |" in run.markdown(doc)


def test_memory_child_measures_in_process() -> None:
    out = memory.child("wengert", n=2_000, n_ops=8)
    assert out["peak_bytes"] >= 0
    assert out["tracemalloc_peak_bytes"] > 0
    assert math.isfinite(out["value"]) and len(out["grad_sample"]) == 100


def test_checkpoint_workload_child_measures_and_agrees_with_handwritten() -> None:
    import numpy as np
    from benchmarks.workloads import checkpoint
    size = {"layers": 4, "width": 8, "batch": 3, "segments": 2}
    want, grads = checkpoint.handwritten(*checkpoint.make_data(4, 8, 3))
    for variant in ("plain", "seq", "tensor_plain", "tensor_seq"):
        out = checkpoint.child(variant, size)
        assert np.isclose(out["value"], want, rtol=1e-12)
        assert out["gradient_bytes"] == sum(g.nbytes for g in grads)
        assert out["tracemalloc_peak_bytes"] > 0
