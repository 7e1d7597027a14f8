"""What runs on the workers: per-shard gradients and jvps, sums, parameter replicas.

Everything here is a plain function of its arguments (so Dask may recompute it
after a worker is lost), except the replicas of forward-mode training, which
live in this module's ``_REPLICAS`` on each worker process, keyed by run id;
a worker that has none (a new one) or an old one answers ``STALE`` and the
client seeds it from its canonical copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.tracing import unbox
from ..core.tree import tree_flatten, tree_map
from ..forward_grad import combine, draw_directions
from ..forward_grad import directional_derivatives as push_directions
from ..transforms import value_and_grad as _value_and_grad

STALE = "stale"


class Payload:
    """An opaque box, so Dask does not walk into (and rebuild) the user's containers."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class LossError(TypeError):
    """A loss that is not a scalar; re-raised on the client without the worker's frames."""


def unwrap(payload: Payload) -> Any:
    return payload.value


def row_counts(shard: Any) -> tuple[list[int], str]:
    """Rows of every leaf of a shard, and its structure (to compare shards)."""
    leaves, treedef = tree_flatten(shard)
    return [len(np.asarray(a)) if np.ndim(a) else -1 for a in leaves], repr(treedef)


def load(load_shard: Callable[[int], Any], i: int) -> Any:
    return load_shard(i)


def _check_scalar(fname: str, value: Any) -> None:
    # As the one-process transforms: grad takes any one-entry array, forward_grad a 0-d one.
    shape = np.shape(unbox(value))
    if (len(shape) != 0) if fname == "forward_grad" else (int(np.prod(shape)) != 1):
        raise LossError(f"{fname}: loss must return a scalar (the mean over the batch's rows), "
                        f"but it returned an array of shape {np.shape(value)}")


def rebuild_rng(state: dict) -> np.random.Generator:
    """A Generator in exactly the state ``Generator.bit_generator.state`` recorded."""
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


# -- batches: a shard's rows of one global minibatch ------------------------------------

_PERMS: dict[str, tuple[int, np.ndarray]] = {}
_LOCK = threading.Lock()


def _rows(batch: tuple | None, offset: int, size: int) -> np.ndarray | None:
    """Local indices of this shard's rows in the batch; ``None``: the whole shard.

    ``batch = (run_id, epoch, epoch_state, n_rows, start, stop)``: the batch is
    ``order[start:stop]`` of the permutation the fit's Generator drew at the
    epoch's start (drawn again here from its state, once per epoch).
    """
    if batch is None:
        return None
    run_id, epoch, epoch_state, n_rows, start, stop = batch
    with _LOCK:
        cached = _PERMS.get(run_id)
    if cached is None or cached[0] != epoch:
        cached = (epoch, rebuild_rng(epoch_state).permutation(n_rows))
        with _LOCK:
            _PERMS[run_id] = cached
    rows = cached[1][start:stop]
    return rows[(rows >= offset) & (rows < offset + size)] - offset


def _select(shard: Any, rows: np.ndarray | None) -> Any:
    return shard if rows is None else tree_map(lambda a: np.asarray(a)[rows], shard)


def _size(shard: Any) -> int:
    return len(np.asarray(tree_flatten(shard)[0][0]))


# -- backprop --------------------------------------------------------------------------

def shard_value_and_grad(loss: Callable[..., Any], params: Any, shard: Any,
                         offset: int = 0, batch: tuple | None = None) -> tuple | None:
    """``(rows · loss, rows · ∇loss)`` on this shard's rows: a sum, so shards add up."""
    rows = _rows(batch, offset, _size(shard))
    if rows is not None and len(rows) == 0:
        return None
    data = _select(shard, rows)
    n = _size(data)
    value, grad = _value_and_grad(_scalar_loss(loss, "value_and_grad"))(params, data)
    return n * value, tree_map(lambda g: n * g, grad)


def _scalar_loss(loss: Callable[..., Any], fname: str) -> Callable[..., Any]:
    def checked(params: Any, data: Any) -> Any:
        out = loss(params, data)
        _check_scalar(fname, out)
        return out
    return checked


def add(a: Any, b: Any) -> Any:
    """One node of the reduction tree (``None``: a shard with no rows in the batch)."""
    if a is None:
        return b
    if b is None:
        return a
    return a[0] + b[0], tree_map(np.add, a[1], b[1])


# -- forward gradients -----------------------------------------------------------------

def directional_derivatives(loss: Callable[..., Any], params: Any, data: Any, state: dict,
                            n_samples: int, distribution: str) -> tuple[Any, list]:
    """``(loss, [∇loss·v_j])`` for the directions ``v_j`` drawn from ``state``, drawn and
    pushed forward as :func:`wengert.forward_grad` does."""
    directions = draw_directions(params, rebuild_rng(state), distribution, n_samples)
    value, dd = push_directions(lambda p: loss(p, data), params, directions, n_samples)
    _check_scalar("forward_grad", value)
    return value, [float(d) for d in np.atleast_1d(dd)]


def estimate(params: Any, rng: np.random.Generator, dds: list, distribution: str) -> Any:
    """The forward gradient ``mean_j (∇f·v_j) v_j``, the directions drawn from ``rng``,
    computed as :func:`wengert.forward_grad` computes it."""
    k = len(dds)
    directions = draw_directions(params, rng, distribution, k)
    return combine(directions, dds[0] if k == 1 else np.asarray(dds), k)


def shard_forward(loss: Callable[..., Any], params: Any, shard: Any, state: dict,
                  n_samples: int, distribution: str, offset: int = 0,
                  batch: tuple | None = None) -> tuple | None:
    """``(rows · loss, [rows · ∇loss·v_j])``: scalars only."""
    rows = _rows(batch, offset, _size(shard))
    if rows is not None and len(rows) == 0:
        return None
    data = _select(shard, rows)
    n = _size(data)
    value, dds = directional_derivatives(loss, params, data, state, n_samples, distribution)
    return float(n * value), [float(n * d) for d in dds]


# -- forward-mode training: parameter replicas on the workers --------------------------

_REPLICAS: dict[str, dict] = {}


def seed_replica(run_id: str, payload: Payload) -> None:
    """Install the client's canonical ``(params, optimizer state, step)`` and the run's
    loss, optimizer and sampling options on this worker."""
    with _LOCK:
        _REPLICAS[run_id] = dict(payload.value)


def forget(run_id: str) -> None:
    with _LOCK:
        _REPLICAS.pop(run_id, None)
        _PERMS.pop(run_id, None)


def replica_step(run_id: str, step: int, pending: tuple | None, state: dict, shard: Any,
                 offset: int, batch: tuple | None) -> tuple | None:
    """Step ``step`` of forward-mode training on this shard, from the local replica.

    ``pending = (state, dds)`` of step ``step - 1``: the replica applies that
    update first if it has not yet (the client applied the same one). Returns
    ``(STALE, address)`` when this worker's replica cannot reach ``step``.
    """
    with _LOCK:
        rep = _REPLICAS.get(run_id)
        if rep is not None and rep["step"] == step - 1 and pending is not None:
            g = estimate(rep["params"], rebuild_rng(pending[0]), pending[1],
                         rep["distribution"])
            rep["params"], rep["opt_state"] = rep["optimizer"].update(
                g, rep["opt_state"], rep["params"])
            rep["step"] = step
        if rep is None or rep["step"] != step:
            return STALE, _address()
        params = rep["params"]
    return shard_forward(rep["loss"], params, shard, state, rep["n_samples"],
                         rep["distribution"], offset, batch)


def _address() -> str:
    from distributed import get_worker
    return str(get_worker().address)
