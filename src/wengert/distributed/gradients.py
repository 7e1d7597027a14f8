"""Data-parallel ``value_and_grad`` and ``forward_grad`` over :class:`Shards`.

``loss(params, batch)`` is a mean over the batch's rows, so the loss on all
the data is ``Σ nᵢ · lossᵢ / N`` over shards of ``nᵢ`` rows, and so is its
gradient.  Each shard's task returns the sums ``nᵢ · lossᵢ`` and ``nᵢ · ∇lossᵢ``;
tasks that add pairs reduce them on the workers (a tree of depth ``log₂ k``),
and only the total comes back.  A forward gradient sends back scalars only:
every worker draws the same directions from the Generator's state.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import Any, TypeVar

from distributed.client import Client, Future
from distributed.comm.core import CommClosedError
from distributed.scheduler import KilledWorker

from ..core.tree import tree_map
from ..forward_grad import DISTRIBUTIONS, _check_rng
from . import _tasks
from .shards import Shards, check_shards

T = TypeVar("T")

# What a lost worker can leave behind on the client: the step is run again.
RETRYABLE = (KilledWorker, CancelledError, CommClosedError)


def put(client: Client, value: Any) -> Future:
    """``value`` on the cluster as a task (its specification holds it): the workers that
    need it fetch it once, and it is recomputed if every worker holding it is lost."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
        return client.submit(_tasks.unwrap, _tasks.Payload(value), pure=False)


def tree_sum(client: Client, parts: list[Future]) -> Future:
    """Sum futures pairwise on the workers: one future, ``⌈log₂ k⌉`` levels deep."""
    while len(parts) > 1:
        pairs = [client.submit(_tasks.add, parts[i], parts[i + 1], pure=False)
                 for i in range(0, len(parts) - 1, 2)]
        parts = pairs + parts[len(pairs) * 2:]
    return parts[0]


def result(future: Any) -> Any:
    """The future's result (a list of futures: their results, gathered in one call); a
    non-scalar loss is reported without the worker's frames."""
    try:
        return future[0].client.gather(future) if isinstance(future, list) else future.result()
    except _tasks.LossError as e:
        raise TypeError(str(e)) from None


def retrying(fname: str, attempt: Callable[[], T], retries: int = 3) -> T:
    """Run ``attempt`` again when a worker's loss cancels its futures."""
    for i in range(retries + 1):
        try:
            return attempt()
        except RETRYABLE as e:
            if i == retries:
                raise RuntimeError(f"{fname}: the step failed {retries + 1} times as workers "
                                   f"were lost ({type(e).__name__}: {e})") from e
    raise AssertionError("unreachable")


def value_and_grad(loss: Callable[..., Any], params: Any, shards: Shards) -> tuple[Any, Any]:
    """``(loss, ∇loss)`` at ``params`` over all the shards' rows.

    Equal (to rounding) to ``wengert.value_and_grad(loss)(params, data)`` on the
    concatenated data.  ``params`` travel to the workers once; the gradient
    is summed on the workers and only the total comes back.
    """
    client = check_shards(shards, "value_and_grad")
    _check_loss(loss, "value_and_grad")

    def attempt() -> tuple[Any, Any]:
        p, f = put(client, params), put(client, loss)
        parts = [client.submit(_tasks.shard_value_and_grad, f, p, s, pure=False,
                               **shards.near(i)) for i, s in enumerate(shards.futures)]
        total, grad = result(tree_sum(client, parts))
        n = shards.n_rows
        return total / n, tree_map(lambda g: g / n, grad)

    return retrying("value_and_grad", attempt)


def forward_grad(loss: Callable[..., Any], params: Any, shards: Shards, *, rng: Any,
                 n_samples: int = 1, distribution: str = "normal") -> tuple[Any, Any]:
    """``(loss, forward-gradient estimate of ∇loss)`` over all the shards' rows.

    For a given ``rng`` (an int seed or a Generator, advanced as in one process)
    the same as ``wengert.forward_grad(loss, params, data, rng=rng)`` on the
    concatenated data.  Each worker draws the directions from the Generator's
    state and sends back one scalar per direction; the client forms the estimate.
    """
    client = check_shards(shards, "forward_grad")
    _check_loss(loss, "forward_grad")
    check_sampling(n_samples, distribution)
    gen = _check_rng(rng)
    state = dict(gen.bit_generator.state)

    def attempt() -> tuple[Any, list]:
        p, f = put(client, params), put(client, loss)
        parts = [client.submit(_tasks.shard_forward, f, p, s, state, n_samples, distribution,
                               pure=False, **shards.near(i))
                 for i, s in enumerate(shards.futures)]
        return sum_scalars(result(parts), shards.n_rows)

    value, dds = retrying("forward_grad", attempt)
    # The client draws the same directions, so its Generator advances as in one process.
    return value, _tasks.estimate(params, gen, dds, distribution)


def sum_scalars(answers: list, n: int) -> tuple[float, list]:
    """Average the shards' ``(rows · loss, [rows · ∇loss·v_j])`` (``None``: no rows)."""
    rows = [r for r in answers if r is not None]
    value = sum(r[0] for r in rows) / n
    dds = [sum(r[1][j] for r in rows) / n for j in range(len(rows[0][1]))]
    return value, dds


def check_sampling(n_samples: int, distribution: str, fname: str = "forward_grad") -> None:
    if not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"{fname}: n_samples must be an int >= 1, got {n_samples!r}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"{fname}: distribution must be one of {DISTRIBUTIONS}, "
                         f"not {distribution!r}")


def _check_loss(loss: Any, fname: str) -> None:
    if not callable(loss):
        raise TypeError(f"{fname}: loss must be a function loss(params, batch), "
                        f"got {type(loss).__name__}")
