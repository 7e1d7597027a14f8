"""Bad input gets a clear error naming the argument."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("distributed")

import wengert.distributed as wd  # noqa: E402
from wengert import optim  # noqa: E402

from .losses import bad_loader, mse, problem, rows_loss  # noqa: E402


def test_rows_that_disagree(client):
    x, y, _ = problem()
    with pytest.raises(ValueError, match=r"array 1 of data has 102 rows, array 0 has 103"):
        wd.scatter(client, (x, y[:-1]))
    with pytest.raises(ValueError, match=r"load_shard\(1\) returned arrays with row counts "
                                         r"\[10, 9\]"):
        wd.from_loader(client, bad_loader, 2)
    with pytest.raises(ValueError, match=r"shard sizes \[50, 50\] must .* add up to the "
                                         r"number of rows \(103\)"):
        wd.scatter(client, (x, y), shards=[50, 50])
    with pytest.raises(ValueError, match="shards must be between 1 and"):
        wd.scatter(client, (x, y), shards=0)
    with pytest.raises(ValueError, match="array 0 of data is a scalar"):
        wd.scatter(client, (np.float64(1.0), x))


def test_a_loss_that_is_not_a_scalar(client):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y), shards=[50, 53])
    for call in (lambda: wd.value_and_grad(rows_loss, p, shards),
                 lambda: wd.forward_grad(rows_loss, p, shards, rng=0),
                 lambda: wd.fit(rows_loss, p, optim.SGD(lr=0.1), shards, progress=False),
                 lambda: wd.fit(rows_loss, p, optim.SGD(lr=0.1), shards, progress=False,
                                gradient="forward")):
        with pytest.raises(TypeError, match=r"loss must return a scalar .* shape \(5\d, 1\)"):
            call()
    with pytest.raises(TypeError, match="loss must be a function"):
        wd.value_and_grad("mse", p, shards)


def test_a_closed_client(client):
    from distributed import Client
    x, y, p = problem()
    other = Client(client.scheduler.address)
    shards = wd.scatter(other, (x, y))
    other.close()
    with pytest.raises(RuntimeError, match=r"scatter: the Dask client \(client\) is closed"):
        wd.scatter(other, (x, y))
    with pytest.raises(RuntimeError, match=r"value_and_grad: the Dask client \(the client of "
                                           r"shards\) is closed"):
        wd.value_and_grad(mse, p, shards)
    with pytest.raises(RuntimeError, match="fit: the Dask client"):
        wd.fit(mse, p, optim.SGD(lr=0.1), shards)
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client"):
        wd.scatter("tcp://127.0.0.1:8786", (x, y))


def test_other_arguments(client):
    x, y, p = problem()
    shards = wd.scatter(client, (x, y))
    with pytest.raises(TypeError, match="shards must come from wengert.distributed.scatter"):
        wd.value_and_grad(mse, p, (x, y))
    with pytest.raises(ValueError, match="gradient must be 'backprop' or 'forward'"):
        wd.fit(mse, p, optim.SGD(lr=0.1), shards, gradient="reverse")
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        wd.fit(mse, p, optim.SGD(lr=0.1), shards, batch_size=0)
    with pytest.raises(ValueError, match="n_samples must be an int >= 1"):
        wd.forward_grad(mse, p, shards, rng=0, n_samples=0)
    with pytest.raises(ValueError, match="pass rng="):
        wd.forward_grad(mse, p, shards, rng=None)


def test_import_without_dask_says_what_to_install():
    code = ("import sys; sys.modules['distributed'] = None\n"
            "import wengert\n"
            "assert 'distributed' not in dir(wengert)\n"
            "try:\n    import wengert.distributed\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pip install 'wengert[distributed]'" in out
