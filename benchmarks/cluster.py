"""Data-parallel gradients and training on Dask: one process against a LocalCluster.

    python benchmarks/cluster.py                  # 60,000 x 784, MLP 784-256-10
    python benchmarks/cluster.py --quick          # 6,000 rows, fewer repeats
    python benchmarks/cluster.py --out benchmarks/results_distributed.md

Every process (this one and the workers, which inherit the environment) is pinned
to one BLAS thread.  The cluster is 2 worker processes of 1 thread each on
127.0.0.1.  Reported per step: the median wall time over the repeats, one
process against the cluster, and the bytes Dask sent, read from Dask's own
counters (not estimated): the batched streams between client, scheduler and
workers (``BatchedSend.byte_count``: task specifications, results' metadata)
and the data the workers served (``Worker.transfer_outgoing_bytes_total``:
arrays fetched by peers and gathered for the client).  See README.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import wengert  # noqa: E402
import wengert.distributed as wd  # noqa: E402
import wengert.numpy as wnp  # noqa: E402
from wengert import optim  # noqa: E402
from wengert.nn.losses import softmax_cross_entropy  # noqa: E402
from wengert.train import fit as local_fit  # noqa: E402

SIZES = (784, 256, 10)


def loss(p: dict, batch: tuple) -> Any:
    x, y = batch
    h = wnp.maximum(x @ p["W1"] + p["b1"], 0.0)
    return softmax_cross_entropy(h @ p["W2"] + p["b2"], y)


def make_problem(n: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """MNIST-sized synthetic data (float32): pixels in [0, 1), one-hot labels, He init."""
    rng = np.random.default_rng(0)
    x = rng.random((n, SIZES[0]), dtype=np.float32)
    y = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], n)]
    p = {"W1": (rng.standard_normal(SIZES[:2]) * np.sqrt(2 / SIZES[0])).astype(np.float32),
         "b1": np.zeros(SIZES[1], np.float32),
         "W2": (rng.standard_normal(SIZES[1:]) * np.sqrt(2 / SIZES[1])).astype(np.float32),
         "b2": np.zeros(SIZES[2], np.float32)}
    return x, y, p


def paired(one: Callable[[], Any], many: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median times of ``one`` and ``many``, their samples interleaved (the machine's
    load drifts alike over both), after one warm-up call each."""
    one(), many()
    samples: tuple[list[float], list[float]] = ([], [])
    for r in range(repeats):
        for i, f in ((0, one), (1, many)) if r % 2 == 0 else ((1, many), (0, one)):
            t0 = time.perf_counter()
            f()
            samples[i].append(time.perf_counter() - t0)
    return statistics.median(samples[0]), statistics.median(samples[1])


class Counters:
    """Dask's own byte counters, summed over the client, scheduler and workers."""

    def __init__(self, client: Any, cluster: Any) -> None:
        self.client, self.scheduler = client, cluster.scheduler

    def read(self) -> dict[str, int]:
        s = self.scheduler
        workers = self.client.run(lambda dask_worker: (
            dask_worker.batched_stream.byte_count, dask_worker.transfer_outgoing_bytes_total))
        return {
            "control": (self.client.scheduler_comm.byte_count
                        + sum(c.byte_count for c in s.stream_comms.values())
                        + sum(c.byte_count for c in s.client_comms.values())
                        + sum(w[0] for w in workers.values())),
            "data": sum(w[1] for w in workers.values()),
        }

    def per_step(self, f: Callable[[], Any], steps: int = 1) -> dict[str, float]:
        f()  # set-up traffic (shards, the loss) out of the way
        before = self.read()
        f()
        after = self.read()
        return {k: (after[k] - before[k]) / steps for k in before}


def fit_step_time(run: Callable[[int], Any], steps: int) -> float:
    """Median step time from the history's training clock (evaluation excluded)."""
    hist = run(steps + 1)[1]
    return float(np.median(np.diff(hist.time)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="6,000 rows, fewer repeats")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stealing", action="store_true", help="keep Dask's work stealing on")
    ap.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = ap.parse_args()
    import dask

    from distributed import Client, LocalCluster

    n = args.rows or (6_000 if args.quick else 60_000)
    repeats, steps, batch = (3, 4, 1_000) if args.quick else (5, 8, 6_000)
    x, y, p = make_problem(n)
    n_params = sum(v.size for v in p.values())
    t_start = time.perf_counter()
    # Without work stealing: Dask may otherwise copy a whole shard to an idle worker to
    # save one step's wait (seen once: 190 MB in 8 forward steps); docs/scaling.md.
    dask.config.set({"distributed.scheduler.work-stealing": args.stealing})
    cluster = LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1,
                           host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    startup = time.perf_counter() - t_start
    shards = wd.scatter(client, (x, y))
    tiny = wd.scatter(client, (x[:64 * args.workers], y[:64 * args.workers]))
    counters = Counters(client, cluster)
    vg = wengert.value_and_grad(loss)
    rows: list[tuple[str, float, float]] = []

    # correctness first: the cluster's answer is the one-process answer
    v0, g0 = vg(p, (x, y))
    v1, g1 = wd.value_and_grad(loss, p, shards)
    err = max(float(np.abs(g1[k] - g0[k]).max() / np.abs(g0[k]).max()) for k in p)

    small = (x[:64 * args.workers], y[:64 * args.workers])
    rows.append(("value_and_grad, all rows",
                 *paired(lambda: vg(p, (x, y)),
                         lambda: wd.value_and_grad(loss, p, shards), repeats)))
    rows.append(("forward_grad, all rows",
                 *paired(lambda: wengert.forward_grad(loss, p, (x, y), rng=0),
                         lambda: wd.forward_grad(loss, p, shards, rng=0), repeats)))
    overhead = {name: b - a for name, (a, b) in {
        "value_and_grad": paired(lambda: vg(p, small),
                                 lambda: wd.value_and_grad(loss, p, tiny), 2 * repeats),
        "forward_grad": paired(lambda: wengert.forward_grad(loss, p, small, rng=0),
                               lambda: wd.forward_grad(loss, p, tiny, rng=0), 2 * repeats),
    }.items()}

    def fits(gradient: str) -> tuple[Callable[[int], Any], Callable[[int], Any]]:
        kw = dict(batch_size=batch, gradient=gradient, seed=0, progress=False, epochs=10**6)
        return (lambda s: local_fit(lambda q, *b: loss(q, b), p, optim.SGD(lr=0.05), (x, y),
                                    max_steps=s, **kw),
                lambda s: wd.fit(loss, p, optim.SGD(lr=0.05), shards, max_steps=s, **kw))

    for gradient in ("backprop", "forward"):
        one, many = fits(gradient)
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(3):  # whole fits, interleaved; each gives its median step
            times[0].append(fit_step_time(one, steps))
            times[1].append(fit_step_time(many, steps))
        rows.append((f"fit step, {gradient}, batch {batch:,}",
                     statistics.median(times[0]), statistics.median(times[1])))

    traffic = {
        "value_and_grad": counters.per_step(lambda: wd.value_and_grad(loss, p, shards)),
        "forward_grad": counters.per_step(lambda: wd.forward_grad(loss, p, shards, rng=0)),
    }
    for gradient in ("backprop", "forward"):
        _, many = fits(gradient)
        a = counters.read()
        many(2)
        b = counters.read()
        many(2 + steps)
        c = counters.read()
        traffic[f"fit step, {gradient}"] = {k: ((c[k] - b[k]) - (b[k] - a[k])) / steps
                                            for k in a}
    client.close()
    cluster.close()

    lines = [
        f"Distributed ({n:,} x {SIZES[0]} float32, MLP {'-'.join(map(str, SIZES))}, "
        f"{n_params:,} parameters = {4 * n_params / 1e6:.2f} MB; LocalCluster of "
        f"{args.workers} worker processes x 1 thread, work stealing "
        f"{'on' if args.stealing else 'off'}; cluster start {startup:.1f} s; "
        f"max relative gradient error vs one process {err:.1e})",
        "",
        "| step | one process (ms) | cluster (ms) | speed-up |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {a * 1e3:,.1f} | {b * 1e3:,.1f} | {a / b:.2f}x |" for name, a, b in rows],
        "",
        "| Dask overhead per step (64 rows per worker) | ms |",
        "|---|---:|",
        *[f"| {k} | {v * 1e3:.1f} |" for k, v in overhead.items()],
        "",
        "| bytes sent per step (Dask's counters) | control messages | data transfers "
        "| total per worker |",
        "|---|---:|---:|---:|",
        *[f"| {k} | {v['control']:,.0f} | {v['data']:,.0f} | "
          f"{(v['control'] + v['data']) / args.workers:,.0f} |" for k, v in traffic.items()],
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
