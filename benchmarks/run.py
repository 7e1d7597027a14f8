"""Run wengert's benchmarks against hand-written NumPy and the peers (torch, jax, autograd).

    python benchmarks/run.py                    # full run (~10 min): writes results.json/.md
    python benchmarks/run.py --quick            # smoke run (<= 2 min): prints only
    python benchmarks/run.py --only seed mlp_grad --libs wengert torch handwritten

Every library is pinned to one thread.  The runner first re-executes itself
with the thread variables and glibc's malloc settings (freed memory kept for reuse)
set and without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (which force an old, slow OpenBLAS
kernel), so every library, and every memory subprocess, sees the same environment.
Timings interleave the libraries (a new random order every round) and report the median;
see README.md.
"""

from __future__ import annotations

import os
import sys

THREAD_VARS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
UNSET_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# glibc keeps freed memory for reuse (no mmap per large array, no trimming of the heap),
# so no library pays page faults for pages another one handed back to the OS: otherwise
# whoever allocates next pays ~1000 faults (~2 ms) per MLP call, at random.  Timing runs
# only; the memory subprocesses set their own (see workloads/memory.py).
MALLOC_VARS = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
_MARK = "WENGERT_BENCH_UNSET"  # set on re-exec: what was removed from the environment


def prepare_environment() -> None:
    """Re-execute this script with the benchmark environment, unless it already has it."""
    env = dict(os.environ)
    removed = {k: env.pop(k) for k in UNSET_VARS if k in env}
    env.update(THREAD_VARS)
    if "--memory-child" not in sys.argv:  # memory probes keep their own malloc settings
        env.update(MALLOC_VARS)
    env["XLA_FLAGS"] = XLA_FLAGS
    env["JAX_PLATFORMS"] = "cpu"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if env == dict(os.environ):
        return
    if _MARK not in env:
        env[_MARK] = ";".join(f"{k}={v}" for k, v in removed.items()) or "-"
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)


if __name__ == "__main__":
    prepare_environment()

import argparse  # noqa: E402
import datetime  # noqa: E402
import fnmatch  # noqa: E402
import gc  # noqa: E402
import importlib.metadata  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.workloads import (  # noqa: E402
    LIBRARIES,
    PEERS,
    Workload,
    _common,
    all_workloads,
    memory,
)


@dataclass
class Config:
    """How long to spend: per (workload, library) time budget and repeat bounds."""

    name: str
    sample_s: float       # one sample times enough calls (``inner``) to last this long
    budget_s: float       # aim for this much sampling per library
    min_reps: int
    max_reps: int
    cap_s: float          # ... but never more than this per library (then fewer reps, >= 1)
    warmup_s: float       # extra warm-up calls while under this
    slow_s: float         # a first call slower than this is the only sample (see time_workload)
    memory_reps: int
    memory_n: int = memory.N_ELEMENTS
    memory_ops: int = memory.N_OPS


CONFIGS = {
    "full": Config("full", sample_s=0.005, budget_s=3.0, min_reps=7, max_reps=51, cap_s=30.0,
                   warmup_s=0.3, slow_s=10.0, memory_reps=3),
    "quick": Config("quick", sample_s=0.002, budget_s=0.3, min_reps=3, max_reps=15, cap_s=3.0,
                    warmup_s=0.05, slow_s=2.0, memory_reps=1, memory_n=250_000),
    # for tests: seconds, not minutes
    "tiny": Config("tiny", sample_s=0.0005, budget_s=0.02, min_reps=2, max_reps=3, cap_s=0.5,
                   warmup_s=0.0, slow_s=0.5, memory_reps=1, memory_n=10_000, memory_ops=8),
}


# -- selecting ----------------------------------------------------------------------------------
def select(workloads: list[Workload], only: list[str] | None, quick: bool) -> list[Workload]:
    if not only:
        return [w for w in workloads if w.in_quick or not quick]

    def hit(w: Workload, pat: str) -> bool:
        return (w.name == pat or w.family == pat or w.name.startswith(pat + "_")
                or fnmatch.fnmatch(w.name, pat))

    chosen = [w for w in workloads if any(hit(w, p) for p in only)]
    unknown = [p for p in only if not any(hit(w, p) for w in workloads)]
    if unknown:
        names = ", ".join(w.name for w in workloads)
        raise SystemExit(f"--only: no workload matches {unknown}; workloads: {names}")
    return chosen


# -- timing -------------------------------------------------------------------------------------
class _Entry:
    def __init__(self, lib: str, fn: Any, t_first: float) -> None:
        self.lib, self.fn, self.t_first = lib, fn, t_first
        self.inner = 1
        self.reps = 0
        self.samples: list[float] = []


def _sample(fn: Any, inner: int) -> float:
    it = itertools.repeat(None, inner)
    t0 = time.perf_counter()
    for _ in it:
        fn()
    return (time.perf_counter() - t0) / inner


def _calibrate(e: _Entry, cfg: Config) -> None:
    """Warm up (beyond the checked first call) and pick ``inner`` and ``reps``.

    A first call slower than ``cfg.slow_s`` (eager JAX on the 100,000-op chain:
    ~30 s) is not repeated: its time is the only sample (``repeats`` = 0 marks it).
    """
    if e.t_first > cfg.slow_s:
        e.samples, e.reps = [e.t_first], 0
        return
    t_one = _sample(e.fn, 1)
    spent = t_one
    while spent < cfg.warmup_s:
        t = _sample(e.fn, 1)
        t_one = min(t_one, t)
        spent += t
    e.inner = max(1, min(100_000, math.ceil(cfg.sample_s / max(t_one, 1e-9))))
    per_sample = t_one * e.inner
    reps = min(cfg.max_reps, max(cfg.min_reps, int(cfg.budget_s / per_sample)))
    if reps * per_sample > cfg.cap_s:
        reps = max(1, int(cfg.cap_s / per_sample))
    e.reps = reps


def time_workload(w: Workload, libs: list[str], cfg: Config, log: Any = print) -> dict:
    """Check every library against handwritten, then time them round-robin."""
    results: dict[str, dict] = {}
    entries: list[_Entry] = []
    outputs: dict[str, tuple] = {}
    for lib in libs:
        maker = w.makers.get(lib)
        if maker is None:
            continue
        if _common.load(lib) is None:
            results[lib] = {"status": "skipped", "reason": _common.skip_reason(lib)}
            continue
        try:
            fn, normalize = maker()
            t0 = time.perf_counter()
            first = fn()  # the first (warm-up) call, checked below
            t_first = time.perf_counter() - t0
            outputs[lib] = normalize(first)
            del first
        except Exception as exc:  # a peer lacking a feature must not stop the run
            results[lib] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
            log(f"  {w.name:<18} {lib:<15} ERROR {type(exc).__name__}: {exc}")
            continue
        results[lib] = {"status": "ok"}
        entries.append(_Entry(lib, fn, t_first))
    _check(w, results, outputs)
    for e in entries:
        _calibrate(e, cfg)
    # Collect once, before the rounds, not before every round: a full collection also
    # empties CPython's free lists and returns empty arenas to the OS, so the call after
    # it pays page faults that no steady-state loop pays (measured: +24% for wengert's
    # vector chain, +17% for PyTorch's, +3% for hand-written NumPy).
    gc.collect()
    # A fresh random order each round (seeded, so runs are repeatable): a library's first
    # call in a sample pays for what the one before it left in the caches (PyTorch's MLP
    # evicts the weights: about +0.3 ms for whoever follows it), so no library may always
    # follow the same one, as it did when the order was rotated.
    order = random.Random(0)
    for _ in range(max((e.reps for e in entries), default=0)):
        for e in order.sample(entries, len(entries)):
            if len(e.samples) < e.reps:
                e.samples.append(_sample(e.fn, e.inner))
    for e in entries:
        s = sorted(e.samples)
        q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0], s[0], s[0]]
        results[e.lib]["first_call_s"] = e.t_first  # jit: trace + compile + run
        results[e.lib].update(median=statistics.median(s), min=s[0], q1=q[0], q3=q[2],
                              repeats=len(s) if e.reps else 0, inner=e.inner)
    return results


def _check(w: Workload, results: dict, outputs: dict) -> None:
    want = outputs.get("handwritten")
    for lib, got in outputs.items():
        if lib == "handwritten":
            continue
        if want is None:
            results[lib]["check"] = "unchecked (handwritten not run)"
            continue
        err = _common.compare(got, want)
        results[lib]["max_rel_err"] = err
        if not err <= w.tol:
            results[lib]["status"] = "MISMATCH"
            results[lib]["check"] = f"max rel err {err:.3g} > {w.tol:g} vs handwritten"


def memory_workload(w: Workload, libs: list[str], cfg: Config) -> dict:
    libs = [lib for lib in libs if lib in w.makers]
    if (cfg.memory_n, cfg.memory_ops) != (w.params["n"], w.params["n_ops"]):
        w.title += f" [{cfg.name} run: {cfg.memory_ops} ops on {cfg.memory_n:,} elements]"
        w.params = {**w.params, "n": cfg.memory_n, "n_ops": cfg.memory_ops}
    raw = memory.measure(HERE / "run.py", libs, cfg.memory_reps, cfg.memory_n, cfg.memory_ops)
    results: dict[str, dict] = {}
    outputs = {}
    for lib, r in raw.items():
        if "skipped" in r:
            results[lib] = {"status": "skipped", "reason": r["skipped"]}
        elif "error" in r:
            results[lib] = {"status": "error", "reason": r["error"]}
        else:
            results[lib] = {"status": "ok", "median": r["peak_bytes"], "peaks": r["peaks"],
                            "baseline_bytes": r["baseline_bytes"], "method": r["method"],
                            "tracemalloc_peak_bytes": r["tracemalloc_peak_bytes"],
                            "repeats": len(r["peaks"]), "inner": 1}
            outputs[lib] = (r["value"], [np.asarray(r["grad_sample"])])
    _check(w, results, outputs)
    return results


# -- the whole run ------------------------------------------------------------------------------
def run_benchmarks(only: list[str] | None = None, libs: list[str] | None = None,
                   mode: str = "full", log: Any = print) -> dict:
    """Run the selected workloads; returns the results document (see results.json)."""
    cfg = CONFIGS[mode]
    libs = list(libs or LIBRARIES)
    bad = [lib for lib in libs if lib not in LIBRARIES]
    if bad:
        raise SystemExit(f"--libs: unknown {bad}; known: {', '.join(LIBRARIES)}")
    libs = [lib for lib in LIBRARIES if lib in libs]  # table order
    chosen = select(all_workloads(mode != "full"), only, mode != "full")
    for lib in libs:
        if lib in PEERS and _common.load(lib) is None:
            log(f"skipping {lib}: {_common.skip_reason(lib)}")
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    t_start = time.perf_counter()
    out: list[dict] = []
    for w in chosen:
        t0 = time.perf_counter()
        if w.measure is not None:
            res = w.measure(w, libs, cfg)
        elif w.kind == "memory":
            res = memory_workload(w, libs, cfg)
        else:
            res = time_workload(w, libs, cfg, log)
        out.append(_summarize(w, res))
        log(f"  {w.name:<18} done in {time.perf_counter() - t0:5.1f} s")
    _relative(out)
    elapsed = time.perf_counter() - t_start
    return {"meta": {"date": started, **environment(mode, libs)}, "elapsed_s": elapsed,
            "workloads": out}


def _summarize(w: Workload, res: dict) -> dict:
    ref = res.get(w.reference, {}).get("median")
    for r in res.values():
        if "median" in r:
            r["per_unit"] = r["median"] / w.ops
            r["ratio"] = r["median"] / ref if ref else None
    doc = {"name": w.name, "family": w.family, "title": w.title, "kind": w.kind, "unit": w.unit,
           "ops": w.ops, "reference": w.reference, "tolerance": w.tol, "params": w.params,
           "results": {lib: res[lib] for lib in LIBRARIES if lib in res}}
    if w.target is not None:
        got = res.get(w.target_lib, {}).get("ratio")
        doc["target"] = {"library": w.target_lib, "max_ratio": w.target, "ratio": got,
                         "met": None if got is None else bool(got <= w.target),
                         "on": w.target_on}
    if w.relative_to:
        doc["relative_to"] = w.relative_to
    return doc


def _relative(docs: list[dict]) -> None:
    """``x_loss``: each library's median over its own median on the ``relative_to`` workload."""
    by_name = {d["name"]: d for d in docs}
    for d in docs:
        base = by_name.get(d.get("relative_to", ""))
        if base is None:
            continue
        for lib, r in d["results"].items():
            own = base["results"].get("wengert" if lib == "wengert.tensor" else lib, {})
            if "median" in r and own.get("median"):
                r["x_loss"] = r["median"] / own["median"]
        t = d.get("target")
        if t is not None and t.get("on") == "relative_to":  # the target is on "x loss"
            got = d["results"].get(t["library"], {}).get("x_loss")
            t.update(ratio=got, met=None if got is None else bool(got <= t["max_ratio"]),
                     relative_to=d["relative_to"])


# -- the environment ----------------------------------------------------------------------------
def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu() -> dict:
    info: dict[str, Any] = {"logical_cpus": os.cpu_count()}
    try:
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        text = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in text.splitlines()
                  if ln.startswith("model name")]
        info["model"] = models[0] if models else platform.processor()
        cores = {ln.split(":", 1)[1].strip() for ln in text.splitlines()
                 if ln.startswith("cpu cores")}
        info["cores_per_socket"] = int(next(iter(cores))) if cores else None
        flags = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
        info["avx512f"] = " avx512f" in flags
    except OSError:
        info["model"] = platform.processor()
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["memory_gib"] = round(int(mem[1]) / 2**20, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


def _git() -> dict:
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    status = git("status", "--porcelain", "--", "src")
    return {"commit": git("rev-parse", "HEAD"), "src_dirty": bool(status)}


def environment(mode: str, libs: list[str]) -> dict:
    unset = os.environ.get(_MARK)
    meta: dict[str, Any] = {
        "mode": mode,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "libraries_requested": libs,
        "machine": {**_cpu(), "platform": platform.platform()},
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in
                     ("numpy", "wengert", "autograd", "torch", "jax", "jaxlib", "threadpoolctl")},
        "wengert_git": _git(),
        "environment": {k: os.environ.get(k) for k in
                        (*THREAD_VARS, "XLA_FLAGS", "JAX_PLATFORMS", *MALLOC_VARS,
                         *UNSET_VARS)},
        "unset_for_this_run": (None if unset is None else
                               dict(kv.split("=", 1) for kv in unset.split(";") if "=" in kv)),
        "skipped_libraries": {lib: _common.skip_reason(lib) for lib in libs
                              if _common.skip_reason(lib)},
    }
    torch = _common._modules.get("torch")
    if torch is not None:
        meta["torch_threads"] = {"intra_op": torch.get_num_threads(),
                                 "inter_op": torch.get_num_interop_threads(),
                                 "mkl": bool(torch.backends.mkl.is_available())}
        cfg_lines = torch.__config__.show().splitlines()
        meta["torch_blas"] = [ln.strip(" -") for ln in cfg_lines if "Math Kernel" in ln]
        meta["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    jax = _common._modules.get("jax")
    if jax is not None:
        meta["jax"] = {"x64": bool(jax.config.jax_enable_x64), "jit": False,
                       "devices": [str(d) for d in jax.devices()]}
    try:
        import threadpoolctl
        meta["threadpoolctl"] = [
            {k: v for k, v in d.items() if k != "filepath"} | {"file": Path(d["filepath"]).name}
            for d in threadpoolctl.threadpool_info()]
    except ImportError:
        meta["threadpoolctl"] = "not installed"
    return meta


# -- reporting ----------------------------------------------------------------------------------
def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            return f"{s / scale:.3g} {unit}"
    return f"{s:.3g} s"


def _fmt_value(doc: dict, r: dict) -> str:
    if doc["kind"] == "memory":
        return f"{r['median'] / 2**20:.1f} MiB"
    return _fmt_time(r["per_unit"]) + ("/op" if doc["unit"] == "op" else "")


def rows(doc: dict) -> list[list[str]]:
    """Table rows: workload, library, median, ratio, notes."""
    out = []
    for lib, r in doc["results"].items():
        notes = []
        if r["status"] != "ok":
            notes.append(r["status"] + (f": {r['reason']}" if r.get("reason") else ""))
        if r.get("check"):
            notes.append(r["check"])
        if "median" not in r:
            out.append([doc["name"], lib, "-", "-", "; ".join(notes)])
            continue
        ratio = f"{r['ratio']:.3g}x" if r.get("ratio") is not None else "-"
        if doc["kind"] == "memory":
            if r.get("tracemalloc_peak_bytes"):
                notes.append(f"tracemalloc {r['tracemalloc_peak_bytes'] / 2**20:.1f} MiB")
            if r.get("total_peak_bytes") is not None and r["total_peak_bytes"] != r["median"]:
                notes.append(f"with the backward pass {r['total_peak_bytes'] / 2**20:.0f} MiB")
            if r.get("gradient_bytes"):
                notes.append(f"gradients {r['gradient_bytes'] / 2**20:.0f} MiB")
            if r.get("x_loss") is not None:
                notes.append(f"{r['x_loss']:.3g}x own on {doc.get('relative_to')}")
            notes.append(f"n={r['repeats']}")
        else:
            if r.get("x_loss") is not None:
                notes.append(f"{r['x_loss']:.2f}x own loss")
            if r["repeats"] == 0:
                notes.append("first call only (too slow to repeat)")
            else:
                iqr = (r["q3"] - r["q1"]) / r["median"] * 100 if r["median"] else 0
                notes.append(f"{r['repeats']}x{r['inner']}, IQR {iqr:.0f}%")
        out.append([doc["name"], lib, _fmt_value(doc, r), ratio, "; ".join(notes)])
    return out


def _targets(docs: list[dict]) -> list[str]:
    lines = []
    for d in docs:
        t = d.get("target")
        if t is None:
            continue
        got = "n/a" if t["ratio"] is None else f"{t['ratio']:.3g}"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        den = f"own on {t['relative_to']}" if t.get("relative_to") else d["reference"]
        lines.append(f"{d['name']}: {t['library']}/{den} = {got} "
                     f"(target <= {t['max_ratio']:g}) {verdict}")
    return lines


def print_table(doc: dict, log: Any = print) -> None:
    header = ["workload", "library", "median", "ratio", "notes"]
    body = [row for d in doc["workloads"] for row in rows(d)]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    widths[-1] = 0
    log("")
    log("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    last = None
    for row in body:
        if last is not None and row[0] != last:
            log("")
        last = row[0]
        log("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())
    log("")
    log("ratio = median / median of the workload's reference "
        "(seed, scalar_chain, memory: torch; others: handwritten)")
    for line in _targets(doc["workloads"]):
        log("target " + line)


def markdown(doc: dict) -> str:
    m = doc["meta"]
    mach = m["machine"]
    lines = ["# wengert benchmark results", "",
             "Generated by `python benchmarks/run.py` (see README.md for the workloads). "
             "Medians of interleaved repeats, one thread per library; "
             "ratio = median / the workload's reference library's median.", "",
             "## Environment", "",
             f"- started: {m['date']} (mode `{m['mode']}`, `{m['command']}`, "
             f"{doc['elapsed_s'] / 60:.1f} min)",
             f"- machine: {mach.get('model')}, {mach.get('usable_cpus')} usable CPUs "
             f"(logical {mach.get('logical_cpus')}), {mach.get('memory_gib')} GiB, "
             f"avx512f={mach.get('avx512f')}; {mach['platform']}",
             f"- python {m['python']}; " + ", ".join(
                 f"{k} {v or 'not installed'}" for k, v in m["versions"].items()),
             f"- wengert commit {m['wengert_git'].get('commit')}"
             + (" (src/ has uncommitted changes)" if m["wengert_git"].get("src_dirty") else ""),
             "- threads: " + ", ".join(f"{k}={v}" for k, v in m["environment"].items()
                                       if k not in UNSET_VARS and k not in MALLOC_VARS),
             "- glibc malloc (freed memory kept for reuse): " + ", ".join(
                 f"{k}={m['environment'].get(k)}" for k in MALLOC_VARS),
             f"- unset for this run (old-OpenBLAS safety settings): {m['unset_for_this_run']}"]
    if "torch_threads" in m:
        lines.append(f"- torch threads: {m['torch_threads']}")
    if "torch_blas" in m:
        lines.append(f"- torch BLAS: {'; '.join(m['torch_blas']) or '?'}, CPU capability "
                     f"{m.get('torch_cpu_capability')} (threadpoolctl does not see torch's MKL)")
    if "jax" in m:
        lines.append(f"- jax: {m['jax']}")
    if isinstance(m["threadpoolctl"], list):
        for d in m["threadpoolctl"]:
            lines.append(f"- threadpoolctl: {d.get('internal_api')} {d.get('version') or ''} "
                         f"({d.get('file')}), num_threads={d.get('num_threads')}, "
                         f"kernel/architecture={d.get('architecture', '-')}")
    else:
        lines.append(f"- threadpoolctl: {m['threadpoolctl']}")
    if m["skipped_libraries"]:
        lines.append(f"- skipped: {m['skipped_libraries']}")
    lines += ["", "## Targets", ""] + [f"- {t}" for t in _targets(doc["workloads"])]
    lines += ["", "## Results", "",
              "| workload | library | median | ratio | notes |", "|---|---|---|---|---|"]
    for d in doc["workloads"]:
        for row in rows(d):
            lines.append("| " + " | ".join(x.replace("|", "/") for x in row) + " |")
    lines += ["", "Workloads:", ""]
    lines += [f"- `{d['name']}` (reference {d['reference']}): {d['title']}"
              for d in doc["workloads"]]
    return "\n".join(lines) + "\n"


# -- command line -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run, <= 2 minutes")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="workload names, families, prefixes or globs (e.g. seed mlp_grad)")
    p.add_argument("--libs", nargs="+", metavar="LIB", help=f"subset of {', '.join(LIBRARIES)}")
    p.add_argument("--out", type=Path, default=None,
                   help="results JSON (and .md beside it); default benchmarks/results.json "
                        "for a full run of everything, none for --quick/--only/--libs")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--memory-child", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--memory-size", type=int, default=memory.N_ELEMENTS, help=argparse.SUPPRESS)
    p.add_argument("--memory-ops", type=int, default=memory.N_OPS, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.memory_child:
        print(json.dumps(memory.child(a.memory_child, a.memory_size, a.memory_ops)))
        return 0
    if a.list:
        for w in all_workloads():
            print(f"{w.name:<20} {'' if w.in_quick else '(full only) '}{w.title}")
        return 0
    mode = "quick" if a.quick else "full"
    out = a.out
    if out is None and not (a.quick or a.only or a.libs):
        out = HERE / "results.json"
    doc = run_benchmarks(a.only, a.libs, mode)
    print_table(doc)
    if out is not None:
        out.write_text(json.dumps(doc, indent=1, default=str) + "\n")
        out.with_suffix(".md").write_text(markdown(doc))
        print(f"\nwrote {out} and {out.with_suffix('.md')}")
    mismatch = [f"{d['name']}/{lib}" for d in doc["workloads"]
                for lib, r in d["results"].items() if r["status"] == "MISMATCH"]
    if mismatch:
        print(f"\ngradient MISMATCH vs handwritten: {', '.join(mismatch)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
