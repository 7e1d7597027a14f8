"""Minibatches with explicit, reproducible shuffling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np


def minibatches(*arrays: Any, batch_size: int, shuffle: bool = True, seed: Any = None,
                drop_last: bool = False) -> Iterator[tuple[np.ndarray, ...]]:
    """Yield tuples of aligned slices of ``arrays`` (one epoch).

    With ``shuffle=True`` (the default) a ``seed`` (an int or an
    ``np.random.Generator``) is required, so that the order is reproducible;
    a Generator is advanced, giving a new order each epoch.
    """
    if not arrays:
        raise ValueError("minibatches: pass at least one array")
    n = len(arrays[0])
    for i, a in enumerate(arrays):
        if len(a) != n:
            raise ValueError(f"minibatches: array {i} has {len(a)} rows, array 0 has {n}")
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be >= 1, got {batch_size}")
    if shuffle:
        if seed is None:
            raise ValueError("minibatches: shuffling needs seed= (an int or an "
                             "np.random.Generator) so that the order is reproducible; or pass "
                             "shuffle=False")
        order = np.random.default_rng(seed).permutation(n)
    else:
        order = np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield tuple(np.asarray(a)[idx] for a in arrays)


def num_batches(n: int, batch_size: int, drop_last: bool = False) -> int:
    """How many batches :func:`minibatches` yields for ``n`` rows."""
    return n // batch_size if drop_last else -(-n // batch_size)


def train_test_split(*arrays: Any, test_fraction: float = 0.2, seed: Any = 0
                     ) -> tuple[np.ndarray, ...]:
    """Shuffle rows with ``seed`` and split: ``(a_train, a_test, b_train, b_test, ...)``."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n = len(arrays[0])
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    test, train = order[:n_test], order[n_test:]
    out: list[np.ndarray] = []
    for a in arrays:
        a = np.asarray(a)
        out += [a[train], a[test]]
    return tuple(out)
