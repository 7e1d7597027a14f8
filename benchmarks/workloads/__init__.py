"""The workload families; each module's ``workloads(quick)`` lists its workloads."""

from __future__ import annotations

from . import chains, imports, memory, mlp, seed
from . import checkpoint as checkpoint_workloads
from . import jit as jit_workloads
from . import odeint as odeint_workloads
from . import vmap as vmap_workloads
from ._common import LIBRARIES, PEERS, Workload

__all__ = ["LIBRARIES", "PEERS", "Workload", "all_workloads"]

FAMILIES = [seed, chains, mlp, memory, imports, jit_workloads, checkpoint_workloads,
            vmap_workloads, odeint_workloads]


def all_workloads(quick: bool = False) -> list[Workload]:
    return [w for family in FAMILIES for w in family.workloads(quick)]
