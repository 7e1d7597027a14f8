"""The workload families; each module's ``workloads(quick)`` lists its workloads."""

from __future__ import annotations

from . import chains, memory, mlp, seed
from . import checkpoint as checkpoint_workloads
from ._common import LIBRARIES, PEERS, Workload

__all__ = ["LIBRARIES", "PEERS", "Workload", "all_workloads"]


def all_workloads(quick: bool = False) -> list[Workload]:
    return [*seed.workloads(quick), *chains.workloads(quick), *mlp.workloads(quick),
            *memory.workloads(quick), *checkpoint_workloads.workloads(quick)]
