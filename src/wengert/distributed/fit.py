"""Training on a Dask cluster: :func:`wengert.train.fit` with the data in shards.

The steps are those of the local ``fit`` with the same ``seed``: the same
shuffled minibatches (each worker draws the epoch's permutation from the
Generator's state and takes its own rows of the batch), the same forward
directions, the same optimiser updates; only the order of the sums differs.

``gradient="backprop"``: each step broadcasts the parameters, sums the
shards' gradients on the workers and updates on the client (``O(P)`` bytes
per worker per step).  ``gradient="forward"``: each worker keeps a replica
of the parameters and optimiser state and applies the same update as the
client from the directions' seed and the summed scalars (``O(1)`` bytes per
worker per step).  The client's copy is canonical: a worker without a
current replica (a replacement for a lost one) is seeded from it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from distributed.client import Client, Future

from ..core.tree import tree_map
from ..optim.base import Optimizer
from ..train import History, Metrics, run_steps
from . import _tasks
from .gradients import _check_loss, check_sampling, put, result, retrying, sum_scalars, tree_sum
from .shards import Shards, check_shards


def fit(loss: Callable[..., Any], params: Any, optimizer: Optimizer, shards: Shards, *,
        epochs: int = 1, batch_size: int | None = None, seed: Any = 0,
        gradient: str = "backprop", n_samples: int = 1, distribution: str = "normal",
        evaluate: Metrics | None = None, eval_every: int | None = None,
        max_steps: int | None = None, max_time: float | None = None,
        progress: bool | None = None, label: str = "",
        retries: int = 3) -> tuple[Any, History]:
    """Train ``params`` on the rows of ``shards``; returns ``(params, history)``.

    As :func:`wengert.train.fit` (same options, same ``History``), except that
    ``loss(params, batch)`` takes the batch as one pytree shaped like the
    scattered data, and ``batch_size=None`` (the default) means the whole data
    set each step.  With the same ``seed`` and ``batch_size`` the steps are
    those of the local ``fit`` on the concatenated data with
    ``lambda p, *batch: loss(p, batch)``.  A step whose workers are lost is
    run again (up to ``retries`` times), with the same answer.
    """
    client = check_shards(shards, "fit")
    _check_loss(loss, "fit")
    if gradient not in ("backprop", "forward"):
        raise ValueError(f"fit: gradient must be 'backprop' or 'forward', not {gradient!r}")
    check_sampling(n_samples, distribution, "fit")
    n = shards.n_rows
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"fit: batch_size must be an int >= 1 or None, got {batch_size!r}")
    bs = n if batch_size is None else batch_size
    run = _Run(client, shards, loss, optimizer, gradient, n_samples, distribution, retries)
    rng = np.random.default_rng(seed)
    state = optimizer.init(params)

    def epoch_batches(epoch: int) -> Iterator[tuple[tuple | None, int]]:
        epoch_state = dict(rng.bit_generator.state)
        rng.permutation(n)  # what the local fit's minibatches draw; the workers redraw it
        for start in range(0, n, bs):  # (the workers' description of the batch, its rows)
            yield (None if bs >= n else (run.id, epoch, epoch_state, n, start, start + bs),
                   min(bs, n - start))

    def step(params: Any, state: Any, batch: tuple[tuple | None, int]) -> tuple[Any, Any, int]:
        rows_of, rows = batch
        if gradient == "backprop":
            return (*run.backprop_step(params, rows_of, rows), rows)
        return (*run.forward_step(params, state, rng, rows_of, rows), rows)

    try:
        return run_steps(step, epoch_batches, params, optimizer, state, n_rows=n,
                         epochs=epochs, batch_size=bs, gradient=gradient, evaluate=evaluate,
                         eval_every=eval_every, max_steps=max_steps, max_time=max_time,
                         progress=progress, label=label,
                         start=(lambda: run.seed_all(params, state, 0))
                         if gradient == "forward" else None)
    finally:
        run.close()


class _Run:
    """One training run's futures and protocol on the cluster."""

    def __init__(self, client: Client, shards: Shards, loss: Callable[..., Any],
                 optimizer: Optimizer, gradient: str, n_samples: int, distribution: str,
                 retries: int) -> None:
        self.client, self.shards, self.loss, self.optimizer = client, shards, loss, optimizer
        self.n_samples, self.distribution, self.retries = n_samples, distribution, retries
        self.id = f"wengert-fit-{uuid.uuid4().hex}"
        self.loss_future: Future | None = put(client, loss) if gradient == "backprop" else None
        self.step = 0                       # updates the canonical parameters have had
        self.pending: tuple | None = None   # (directions' state, scalars) of the last step

    def backprop_step(self, params: Any, batch: tuple | None, rows: int) -> tuple[Any, Any]:
        client, shards = self.client, self.shards

        def attempt() -> tuple[Any, Any]:
            p = put(client, params)
            parts = [client.submit(_tasks.shard_value_and_grad, self.loss_future, p, s, off,
                                   batch, pure=False, **shards.near(i))
                     for i, (s, off) in enumerate(zip(shards.futures, shards.offsets))]
            value, grad = result(tree_sum(client, parts))
            return value / rows, tree_map(lambda g: g / rows, grad)

        return retrying("fit", attempt, self.retries)

    def forward_step(self, params: Any, opt_state: dict, rng: np.random.Generator,
                     batch: tuple | None, rows: int) -> tuple[Any, Any]:
        """Scalars from the replicas, then the estimate from the client's ``rng``."""
        state = dict(rng.bit_generator.state)
        step, pending = self.step, self.pending

        def attempt() -> tuple[float, list]:
            futures = self._submit_forward(range(len(self.shards)), step, pending, state, batch)
            answers: dict[int, Any] = {}
            for _ in range(len(self.shards) + 3):
                stale = {}
                for i, r in zip(futures, result(list(futures.values()))):
                    if r is not None and r[0] == _tasks.STALE:
                        stale[i] = r[1]
                    else:
                        answers[i] = r
                if not stale:
                    return sum_scalars(list(answers.values()), rows)
                for address in set(stale.values()):  # a new worker: seed it, ask again
                    self.seed_all(params, opt_state, step, [address])
                futures = self._submit_forward(stale, step, pending, state, batch)
            raise RuntimeError("fit: workers kept answering with stale parameter replicas")

        value, dds = retrying("fit", attempt, self.retries)
        grads = _tasks.estimate(params, rng, dds, self.distribution)
        self.step, self.pending = step + 1, (state, dds)
        return value, grads

    def _submit_forward(self, which: Any, step: int, pending: tuple | None, state: dict,
                        batch: tuple | None) -> dict[int, Future]:
        offsets = self.shards.offsets
        return {i: self.client.submit(_tasks.replica_step, self.id, step, pending, state,
                                      self.shards.futures[i], offsets[i], batch, pure=False,
                                      **self.shards.near(i))
                for i in which}

    def seed_all(self, params: Any, opt_state: dict, step: int,
                 workers: list[str] | None = None) -> None:
        """Copy the canonical replica (``O(P)`` bytes, once per worker) to ``workers``."""
        payload = _tasks.Payload({
            "params": params, "opt_state": opt_state, "step": step, "loss": self.loss,
            "optimizer": self.optimizer, "n_samples": self.n_samples,
            "distribution": self.distribution})
        self.client.run(_tasks.seed_replica, self.id, payload, workers=workers)

    def close(self) -> None:
        if self.client.status == "running":
            with contextlib.suppress(Exception):
                self.client.run(_tasks.forget, self.id)

