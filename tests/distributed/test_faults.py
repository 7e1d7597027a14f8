"""A worker SIGKILLed in the middle of a step or of training loses nothing."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("distributed")

import wengert  # noqa: E402
import wengert.distributed as wd  # noqa: E402
from wengert import optim  # noqa: E402
from wengert.train import fit as local_fit  # noqa: E402

from .conftest import local_cluster  # noqa: E402
from .losses import loader, local, mse, problem, slow_mse  # noqa: E402


@pytest.fixture(scope="module")
def fragile():
    """Its own cluster: its workers get killed (their nannies start replacements)."""
    cluster, client = local_cluster(n_workers=2)
    yield client
    client.close()
    cluster.close()


def kill_one_worker(client):
    """SIGKILL the process of the worker holding the most data (no goodbye to anyone)."""
    info = client.scheduler_info(n_workers=-1)["workers"]
    victim = max(sorted(info), key=lambda a: info[a]["metrics"]["managed_bytes"])
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    return victim


def wait_for_workers(client, n, timeout=30):
    deadline = time.monotonic() + timeout
    while len(client.scheduler_info(n_workers=-1)["workers"]) < n:
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.1)


@pytest.mark.parametrize("source", ["scatter", "from_loader"])
def test_worker_killed_mid_step_changes_nothing(fragile, source):
    wait_for_workers(fragile, 2)
    x, y, p = problem()
    shards = (wd.scatter(fragile, (x, y), shards=[20, 30, 25, 28]) if source == "scatter"
              else wd.from_loader(fragile, loader, 3))
    value0, grad0 = wengert.value_and_grad(mse)(p, (x, y))
    with ThreadPoolExecutor(1) as pool:
        # 3 or 4 shards of 0.25 s on two one-thread workers: the step takes >= 0.5 s
        step = pool.submit(wd.value_and_grad, slow_mse, p, shards)
        time.sleep(0.35)
        assert not step.done()
        victim = kill_one_worker(fragile)
        value, grad = step.result(timeout=60)
    np.testing.assert_allclose(value, value0, rtol=1e-13)
    for k in p:
        np.testing.assert_allclose(grad[k], grad0[k], rtol=1e-12, atol=1e-14)
    assert victim not in fragile.scheduler_info(n_workers=-1)["workers"]
    # the shards the victim held were recomputed: the data are all still there
    np.testing.assert_array_equal(shards.gather()[1], y)
    wait_for_workers(fragile, 2)


@pytest.mark.parametrize("gradient", ["backprop", "forward"])
def test_training_survives_killed_workers(fragile, gradient):
    """One worker killed between steps, another in the middle of a step: training ends
    where the same run without faults ends."""
    wait_for_workers(fragile, 2)
    x, y, p = problem()
    shards = wd.scatter(fragile, (x, y), shards=[30, 40, 33])
    kills, timers = [], []

    def kill():
        kills.append(kill_one_worker(fragile))

    def evaluate(q):  # called before training and after every second step
        evaluate.calls += 1
        if evaluate.calls == 2:    # after step 2: kill now, between two steps
            kill()
            wait_for_workers(fragile, 2)
        elif evaluate.calls == 3:  # after step 4: kill 0.2 s into step 5 (>= 0.5 s long)
            timers.append(threading.Timer(0.2, kill))
            timers[0].start()
        return {}

    evaluate.calls = 0
    kw = dict(epochs=2, batch_size=25, seed=4, gradient=gradient, progress=False)
    pd, h = wd.fit(slow_mse, p, optim.Adam(lr=0.02), shards, evaluate=evaluate,
                   eval_every=2, **kw)
    timers[0].join()
    pl, hl = local_fit(local(mse), p, optim.Adam(lr=0.02), (x, y), **kw)
    assert len(kills) == 2 and len(h.step) == 10
    for k in p:
        np.testing.assert_allclose(pd[k], pl[k], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h.loss, hl.loss, rtol=1e-10)
    wait_for_workers(fragile, 2)
