"""The jit workloads run and agree with hand-written NumPy (tiny run, no peers)."""

from __future__ import annotations

from benchmarks import run
from benchmarks.workloads import jit as jit_workloads


def _quiet(*args: object) -> None:
    pass


def test_jit_workloads_run_and_check() -> None:
    doc = run.run_benchmarks(only=["jit_seed", "jit_general_chain", "general_vector_chain",
                                   "jit_compile_seed"], libs=["wengert", "handwritten"],
                             mode="tiny", log=_quiet)
    names = {w["name"] for w in doc["workloads"]}
    assert names == {"jit_seed", "jit_seed_vs_jax", "jit_general_chain",
                     "general_vector_chain", "jit_compile_seed"}
    for w in doc["workloads"]:
        r = w["results"]["wengert"]
        assert r["status"] == "ok", (w["name"], r)
        assert r["max_rel_err"] <= 1e-9 and r["first_call_s"] > 0


def test_every_target_workload_is_registered() -> None:
    names = {w.name for w in jit_workloads.workloads(quick=True)}
    assert {"jit_mlp_grad_f32", "jit_mlp_grad_f64", "jit_hessian_200",
            "jit_compile_chain_100k"} <= names
