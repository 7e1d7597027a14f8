"""The vmap workloads compute what their hand-written versions compute (no timing here)."""

from __future__ import annotations

import pytest
from benchmarks.workloads import _common
from benchmarks.workloads import vmap as vmap_workloads

WORKLOADS = vmap_workloads.workloads(quick=True)


@pytest.mark.parametrize("w", WORKLOADS, ids=[w.name for w in WORKLOADS])
def test_wengert_matches_handwritten(w: _common.Workload) -> None:
    fn, norm = w.makers["wengert"]()
    hfn, hnorm = w.makers["handwritten"]()
    assert _common.compare(norm(fn()), hnorm(hfn())) <= w.tol
