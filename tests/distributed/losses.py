"""Losses the tests send to the workers (importable there, so pickled by reference)."""

import time

import numpy as np

import wengert.numpy as wnp


def mse(p, batch):
    x, y = batch
    h = wnp.tanh(x @ p["w"] + p["b"])
    return wnp.mean((h @ p["v"] - y) ** 2)


def rows_loss(p, batch):
    """Not a scalar: one loss per row."""
    x, y = batch
    return (x @ p["w"] + p["b"]) @ p["v"] - y


def slow_mse(p, batch):
    time.sleep(0.25)  # long enough to kill a worker while the step runs
    return mse(p, batch)


def local(loss):
    """The same loss in the local fit's convention, loss(params, *batch)."""
    return lambda p, *batch: loss(p, batch)


def problem(n=103, d=4, hidden=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = np.sin(x[:, :1]) + 0.1 * rng.standard_normal((n, 1))
    params = {"w": 0.5 * rng.standard_normal((d, hidden)), "b": np.zeros(hidden),
              "v": 0.5 * rng.standard_normal((hidden, 1))}
    return x, y, params


def loader(i):
    """Shard i of problem()'s data, built on the worker: rows [0, 30), [30, 31), [31, 103)."""
    x, y, _ = problem()
    lo, hi = [(0, 30), (30, 31), (31, 103)][i]
    return x[lo:hi], y[lo:hi]


def bad_loader(i):
    x, y, _ = problem()
    return (x[:10], y[:9]) if i == 1 else (x[:10], y[:10])


def forget_replicas():
    """On a worker: drop every forward-fit replica (as a fresh worker has none)."""
    from wengert.distributed import _tasks
    n = len(_tasks._REPLICAS)
    _tasks._REPLICAS.clear()
    return n
