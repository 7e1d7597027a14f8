"""Training on the cluster takes the local fit's steps with the same seeds."""

import numpy as np
import pytest

pytest.importorskip("distributed")

import wengert.distributed as wd  # noqa: E402
from wengert import optim  # noqa: E402
from wengert.train import fit as local_fit  # noqa: E402

from .losses import forget_replicas, local, mse, problem  # noqa: E402


@pytest.mark.parametrize("gradient,batch_size,opt", [
    ("backprop", 16, lambda: optim.SGD(lr=0.1, momentum=0.9)),
    ("backprop", None, lambda: optim.Adam(lr=0.05)),
    ("forward", 16, lambda: optim.Adam(lr=0.02)),
    ("forward", None, lambda: optim.SGD(lr=0.01)),
])
def test_fit_takes_the_local_fits_steps(client, gradient, batch_size, opt):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[10, 50, 43])
    evals = []
    kw = dict(epochs=3, seed=5, gradient=gradient, n_samples=2, progress=False)
    pd, h = wd.fit(mse, p, opt(), shards, batch_size=batch_size,
                   evaluate=lambda q: evals.append(1) or {"w0": float(q["w"][0, 0])}, **kw)
    pl, hl = local_fit(local(mse), p, opt(), (x, y), batch_size=batch_size or 103,
                       evaluate=lambda q: {"w0": float(q["w"][0, 0])}, **kw)
    for k in p:
        np.testing.assert_allclose(pd[k], pl[k], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h.loss, hl.loss, rtol=1e-10)
    assert h.step == hl.step and len(h.step) == 3 * (7 if batch_size else 1)
    assert [e["epoch"] for e in h.epochs] == [1, 2, 3] and len(evals) == 4
    assert h.loss[-1] < h.loss[0]  # it learns
    assert abs(pd["w"] - p["w"]).max() > 1e-3


def test_forward_fit_reseeds_workers_that_lost_their_replicas(client):
    """A worker without a current replica (as a replacement worker) is seeded from the
    client's canonical copy and the run goes on to the same parameters."""
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[30, 40, 33])

    cleared = []

    def evaluate(q):  # every worker forgets its replica: all must be reseeded
        cleared.append(sum(client.run(forget_replicas).values()))
        return {}

    kw = dict(epochs=2, batch_size=20, seed=1, gradient="forward", progress=False)
    pd, _ = wd.fit(mse, p, optim.Adam(lr=0.02), shards, evaluate=evaluate, eval_every=3,
                   **kw)
    pl, _ = local_fit(local(mse), p, optim.Adam(lr=0.02), (x, y), **kw)
    for k in p:
        np.testing.assert_allclose(pd[k], pl[k], rtol=1e-10, atol=1e-12)
    # none before training; then two workers held a replica (reseeded) every 3 steps
    assert cleared == [0, 2, 2, 2, 2]
    assert sum(client.run(forget_replicas).values()) == 0  # fit removes its replicas


def test_forward_fit_sends_no_parameter_sized_messages(client):
    """Per step, what the scheduler sends each worker does not grow with the parameters."""
    x, y, _ = problem(d=4)
    shards = wd.scatter(client, (x, y), shards=2)
    sent = {}
    for hidden in (5, 2000):
        _, _, p = problem(d=4, hidden=hidden)
        counts = []
        for steps in (2, 6):
            scheduler_bytes = _scheduler_stream_bytes(client)
            wd.fit(mse, p, optim.SGD(lr=1e-3), shards, epochs=steps, gradient="forward",
                   progress=False)
            counts.append(_scheduler_stream_bytes(client) - scheduler_bytes)
        sent[hidden] = (counts[1] - counts[0]) / 4  # per step, without the set-up
    # 2000 hidden units are 12,000 float64 parameters, 96 KB: one copy per step would show
    assert sent[5] < 10_000 and sent[2000] < 10_000


def _scheduler_stream_bytes(client):
    return client.run_on_scheduler(
        lambda dask_scheduler: sum(c.byte_count for c in dask_scheduler.stream_comms.values()))


def test_fit_shows_a_progress_bar(client, capsys):
    pytest.importorskip("tqdm")
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=2)
    _, h = wd.fit(mse, p, optim.SGD(lr=0.1), shards, epochs=2, batch_size=52, progress=True,
                  label="cluster", max_steps=3)
    assert len(h.step) == 3 and len(h.epochs) == 2
    assert "cluster" in capsys.readouterr().err


@pytest.mark.parametrize("gradient", ["backprop", "forward"])
def test_local_fit_with_a_client_trains_on_the_cluster(client, gradient):
    """wengert.train.fit(..., client=) takes the loss as the local fit does and gives its
    steps, run on the workers."""
    x, y, p = problem()
    kw = dict(epochs=2, batch_size=25, seed=3, gradient=gradient, progress=False)
    before = _worker_tasks(client)
    pc, hc = local_fit(local(mse), p, optim.Adam(lr=0.02), (x, y), client=client, **kw)
    pl, hl = local_fit(local(mse), p, optim.Adam(lr=0.02), (x, y), **kw)
    for k in p:
        np.testing.assert_allclose(pc[k], pl[k], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hc.loss, hl.loss, rtol=1e-10)
    assert _worker_tasks(client) > before  # the steps ran on the workers


def _worker_tasks(client):
    def count(dask_worker):
        return dask_worker.state.transition_counter
    return sum(client.run(count).values())
