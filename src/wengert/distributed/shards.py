"""Data split by rows into shards held on the Dask workers, recomputable after a loss.

A scattered future dies with its worker. A shard here is instead the result
of a task whose specification holds its rows (:func:`scatter`) or calls
``load_shard(i)`` (:func:`from_loader`), so the scheduler recomputes it on
another worker when the one holding it is lost.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from distributed.client import Client, Future

from ..core.tree import tree_flatten, tree_unflatten
from . import _tasks


@dataclass(frozen=True, eq=False)
class Shards:
    """Row shards of one data pytree on a Dask cluster: ``futures[i]`` holds ``sizes[i]`` rows."""

    client: Client
    futures: tuple[Future, ...]
    sizes: tuple[int, ...]
    homes: tuple[str, ...] = ()  # the worker each shard was placed on

    def near(self, i: int) -> dict[str, Any]:
        """``client.submit`` placement for a task that reads shard ``i``: on its home
        worker while that worker lives, else wherever the scheduler likes (where the
        shard was recomputed).  Without it the scheduler may copy a whole shard to an
        idle worker to start a small task sooner."""
        if not self.homes:
            return {}
        return {"workers": [self.homes[i]], "allow_other_workers": True}

    @property
    def n_rows(self) -> int:
        return sum(self.sizes)

    @property
    def offsets(self) -> tuple[int, ...]:
        """The first global row of each shard (rows are numbered shard after shard)."""
        return tuple(int(o) for o in np.cumsum((0, *self.sizes[:-1])))

    def __len__(self) -> int:
        return len(self.futures)

    def gather(self) -> Any:
        """The whole data set on the client, shards concatenated (for small data)."""
        check_client(self.client, "Shards.gather")
        parts = self.client.gather(list(self.futures))
        flat = [tree_flatten(p) for p in parts]
        leaves = [np.concatenate([f[0][j] for f in flat]) for j in range(len(flat[0][0]))]
        return tree_unflatten(flat[0][1], leaves)

    def __repr__(self) -> str:
        return f"Shards({len(self)} shards, rows {list(self.sizes)})"


def check_client(client: Any, fname: str, arg: str = "client") -> None:
    """A clear error for something that is not a running ``distributed.Client``."""
    if not isinstance(client, Client):
        raise TypeError(f"{fname}: {arg} must be a dask.distributed.Client, "
                        f"got {type(client).__name__}")
    if client.status != "running":
        raise RuntimeError(f"{fname}: the Dask client ({arg}) is {client.status}; connect a "
                           f"new Client and build the shards again")


def check_shards(shards: Any, fname: str) -> Client:
    if not isinstance(shards, Shards):
        raise TypeError(f"{fname}: shards must come from wengert.distributed.scatter or "
                        f"from_loader, got {type(shards).__name__}")
    check_client(shards.client, fname, "the client of shards")
    return shards.client


def _workers(client: Client, fname: str) -> list[str]:
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    if not workers:
        raise RuntimeError(f"{fname}: the Dask cluster has no workers yet; start some, or "
                           f"wait for them with client.wait_for_workers(n)")
    return workers


def _split_sizes(n: int, shards: int | Sequence[int]) -> list[int]:
    if isinstance(shards, (int, np.integer)):
        if not 1 <= shards <= n:
            raise ValueError(f"scatter: shards must be between 1 and the number of rows ({n}), "
                             f"got {shards}")
        return [len(a) for a in np.array_split(np.arange(n), int(shards))]
    sizes = [int(s) for s in shards]
    if any(s < 1 for s in sizes) or sum(sizes) != n:
        raise ValueError(f"scatter: shard sizes {sizes} must be positive and add up to the "
                         f"number of rows ({n})")
    return sizes


def scatter(client: Client, data: Any, shards: int | Sequence[int] | None = None) -> Shards:
    """Split the pytree ``data`` (e.g. ``(X, Y)``) by rows into shards on the workers.

    ``shards`` is a number of shards (default: one per worker; sizes differ by
    at most one row) or a list of shard sizes.  Shard ``i`` starts on worker
    ``i mod n_workers``; its rows travel in its task's specification, so Dask
    recomputes it elsewhere if that worker is lost.
    """
    check_client(client, "scatter")
    leaves, treedef = tree_flatten(data)
    if not leaves:
        raise ValueError("scatter: data has no arrays")
    arrays = [np.asarray(a) for a in leaves]
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            raise ValueError(f"scatter: array {i} of data is a scalar; every array needs rows")
        if len(a) != len(arrays[0]):
            raise ValueError(f"scatter: array {i} of data has {len(a)} rows, array 0 has "
                             f"{len(arrays[0])}; every array must have one row per example")
    workers = _workers(client, "scatter")
    sizes = _split_sizes(len(arrays[0]), len(workers) if shards is None else shards)
    token = uuid.uuid4().hex
    futures, start = [], 0
    with warnings.catch_warnings():
        # The rows are meant to be in the graph: that is what makes them recomputable.
        warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
        for i, size in enumerate(sizes):
            part = tree_unflatten(treedef, [np.ascontiguousarray(a[start:start + size])
                                            for a in arrays])
            futures.append(client.submit(
                _tasks.unwrap, _tasks.Payload(part), key=f"wengert-shard-{token}-{i}",
                workers=[workers[i % len(workers)]], allow_other_workers=True))
            start += size
    return Shards(client, tuple(futures), tuple(sizes), _homes(workers, len(sizes)))


def from_loader(client: Client, load_shard: Callable[[int], Any], n: int) -> Shards:
    """Shards built on the workers: shard ``i`` is ``load_shard(i)`` for ``i < n``.

    For data that never fits on the client.  ``load_shard`` must be
    deterministic (it runs again if the worker holding its shard is lost) and
    return a pytree of arrays with equal row counts.
    """
    check_client(client, "from_loader")
    if not callable(load_shard):
        raise TypeError(f"from_loader: load_shard must be a function i -> data, "
                        f"got {type(load_shard).__name__}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"from_loader: n (the number of shards) must be an int >= 1, got {n!r}")
    workers = _workers(client, "from_loader")
    token = uuid.uuid4().hex
    futures = tuple(client.submit(_tasks.load, load_shard, i, key=f"wengert-shard-{token}-{i}",
                                  workers=[workers[i % len(workers)]], allow_other_workers=True)
                    for i in range(int(n)))
    counts = client.gather([client.submit(_tasks.row_counts, f, pure=False) for f in futures])
    sizes = []
    for i, (rows, structure) in enumerate(counts):
        if not rows or min(rows) < 1 or len(set(rows)) != 1:
            raise ValueError(f"from_loader: load_shard({i}) returned arrays with row counts "
                             f"{rows}; each shard must be arrays with the same, positive "
                             f"number of rows")
        if structure != counts[0][1]:
            raise ValueError(f"from_loader: load_shard({i}) returned {structure}, but "
                             f"load_shard(0) returned {counts[0][1]}")
        sizes.append(rows[0])
    return Shards(client, futures, tuple(sizes), _homes(workers, len(sizes)))


def _homes(workers: list[str], n: int) -> tuple[str, ...]:
    return tuple(workers[i % len(workers)] for i in range(n))
