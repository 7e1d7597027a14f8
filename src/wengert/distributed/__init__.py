"""Data-parallel gradients and training on Dask (``pip install 'wengert[distributed]'``).

>>> from distributed import Client, LocalCluster
>>> import wengert.distributed as wd
>>> client = Client(LocalCluster(n_workers=2))      # or Client("tcp://scheduler:8786")
>>> shards = wd.scatter(client, (X, Y))              # rows split over the workers
>>> value, grad = wd.value_and_grad(loss, params, shards)
>>> value, estimate = wd.forward_grad(loss, params, shards, rng=0)   # scalars only
>>> params, hist = wd.fit(loss, params, optim.Adam(lr=1e-3), shards, epochs=5,
...                       batch_size=256, gradient="forward")

``loss(params, batch)`` is a mean over the rows of ``batch``, a pytree shaped
like the data.  Shards survive the loss of a worker (Dask recomputes them);
a step interrupted by one is run again with the same answer.
"""

try:
    import distributed as _distributed  # noqa: F401
except ImportError as e:  # pragma: no cover - CI installs the extra
    raise ImportError("wengert.distributed needs Dask's distributed scheduler: "
                      "pip install 'wengert[distributed]'") from e

from .fit import fit
from .gradients import forward_grad, value_and_grad
from .shards import Shards, from_loader, scatter

__all__ = ["Shards", "scatter", "from_loader", "value_and_grad", "forward_grad", "fit"]
