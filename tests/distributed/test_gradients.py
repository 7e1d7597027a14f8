"""Data-parallel value_and_grad and forward_grad equal the one-process transforms."""

import numpy as np
import pytest

pytest.importorskip("distributed")

import wengert  # noqa: E402
import wengert.distributed as wd  # noqa: E402

from .losses import loader, mse, problem  # noqa: E402


def close(a, b):
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("sizes", [[10, 50, 43], [1, 101, 1], 2])
def test_value_and_grad_equals_one_process_on_uneven_shards(client, sizes):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=sizes)
    assert shards.n_rows == 103 and len(shards.sizes) == (2 if sizes == 2 else 3)
    value, grad = wd.value_and_grad(mse, p, shards)
    value0, grad0 = wengert.value_and_grad(mse)(p, (x, y))
    np.testing.assert_allclose(value, value0, rtol=1e-13)
    close(grad, grad0)
    # a weighting by shard count instead of by rows would be far off on these shards
    assert set(grad) == set(p) and grad["w"].shape == p["w"].shape


def test_float32_gradient_keeps_its_dtype(client):
    x, y, p = problem()
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    shards = wd.scatter(client, (x.astype(np.float32), y.astype(np.float32)), shards=[40, 63])
    value, grad = wd.value_and_grad(mse, p32, shards)
    value0, grad0 = wengert.value_and_grad(mse)(p32, (x.astype(np.float32),
                                                      y.astype(np.float32)))
    assert grad["w"].dtype == np.float32
    np.testing.assert_allclose(value, value0, rtol=1e-5)
    np.testing.assert_allclose(grad["w"], grad0["w"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("n_samples,distribution", [(1, "normal"), (3, "rademacher")])
def test_forward_grad_equals_one_process(client, n_samples, distribution):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[10, 50, 43])
    value, est = wd.forward_grad(mse, p, shards, rng=7, n_samples=n_samples,
                                 distribution=distribution)
    value0, est0 = wengert.forward_grad(mse, p, (x, y), rng=7, n_samples=n_samples,
                                        distribution=distribution)
    np.testing.assert_allclose(value, value0, rtol=1e-13)
    close(est, est0)
    # a different seed gives a different estimate (the directions really come from rng)
    _, other = wd.forward_grad(mse, p, shards, rng=8, n_samples=n_samples,
                               distribution=distribution)
    assert np.abs(other["w"] - est0["w"]).max() > 1e-6


def test_forward_grad_advances_a_generator_as_one_process(client):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[60, 43])
    g, g0 = np.random.default_rng(3), np.random.default_rng(3)
    for _ in range(2):  # the second call starts where the first one left the Generator
        _, est = wd.forward_grad(mse, p, shards, rng=g)
        _, est0 = wengert.forward_grad(mse, p, (x, y), rng=g0)
        close(est, est0)
    assert g.random() == g0.random()


def test_from_loader_builds_shards_on_the_workers(client):
    x, y, p = problem()
    shards = wd.from_loader(client, loader, 3)
    assert shards.sizes == (30, 1, 72)
    np.testing.assert_array_equal(shards.gather()[0], x)
    value, grad = wd.value_and_grad(mse, p, shards)
    value0, grad0 = wengert.value_and_grad(mse)(p, (x, y))
    np.testing.assert_allclose(value, value0, rtol=1e-13)
    close(grad, grad0)


def test_the_reduction_runs_on_the_workers(client):
    """k shard tasks and k - 1 pairwise sums; only the sum comes to the client."""
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[20, 20, 20, 20, 23])
    from distributed import get_task_stream
    with get_task_stream(client) as ts:
        wd.value_and_grad(mse, p, shards)
    names = [t["key"][0] if isinstance(t["key"], tuple) else t["key"] for t in ts.data]
    assert sum("shard_value_and_grad" in str(k) for k in names) == 5
    assert sum(str(k).startswith("add-") for k in names) == 4


def test_shards_stay_on_their_home_workers(client):
    """Every task that reads a shard runs where the shard is: after gradient steps each
    shard still has exactly one holder, the worker it was placed on."""
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[40, 40, 23])
    assert len(set(shards.homes)) == 2  # three shards round-robin on two workers
    for _ in range(3):
        wd.value_and_grad(mse, p, shards)
        wd.forward_grad(mse, p, shards, rng=0, n_samples=2)
    holders = client.who_has(list(shards.futures))
    assert [set(holders[f.key]) for f in shards.futures] == [{h} for h in shards.homes]
