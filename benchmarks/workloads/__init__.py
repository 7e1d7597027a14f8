"""The workload families; each module's ``workloads(quick)`` lists its workloads."""

from __future__ import annotations

from . import chains, memory, mlp, seed
from . import odeint as odeint_workloads
from ._common import LIBRARIES, PEERS, Workload

__all__ = ["LIBRARIES", "PEERS", "Workload", "all_workloads"]


def all_workloads(quick: bool = False) -> list[Workload]:
    return [*seed.workloads(quick), *chains.workloads(quick), *mlp.workloads(quick),
            *memory.workloads(quick), *odeint_workloads.workloads(quick)]
