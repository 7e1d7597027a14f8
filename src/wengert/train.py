"""A small training loop: minibatches, backprop or forward gradients, metrics, plots.

>>> params, hist = fit(loss, params, optim.Adam(lr=1e-3), (x, y), epochs=10,
...                    evaluate=lambda p: {"accuracy": acc(p)})
>>> hist.plot("training.png")

``loss(params, *batch)`` returns a scalar.  ``gradient="backprop"`` uses
``value_and_grad``; ``gradient="forward"`` uses :func:`forward_grad` (one
``jvp`` per direction, no backward pass).  Wall time in the history counts
training steps only, not evaluation.  A non-finite loss stops training with a
warning saying where and what to try.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data.batching import minibatches, num_batches
from .forward_grad import forward_grad
from .optim.base import Optimizer
from .transforms import value_and_grad

Metrics = Callable[[Any], Mapping[str, float]]


@dataclass
class History:
    """What happened during :func:`fit`: per-step loss, evaluations, per-epoch summaries."""

    label: str = ""
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)       # training seconds so far
    evals: list[dict] = field(default_factory=list)       # {"step", "epoch", "time", metrics}
    epochs: list[dict] = field(default_factory=list)      # {"epoch", "loss", "time", ...}
    stopped: str | None = None                            # why training ended early

    def metric(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(steps, times, values)`` of an evaluated metric."""
        rows = [e for e in self.evals if name in e]
        return (np.array([e["step"] for e in rows]), np.array([e["time"] for e in rows]),
                np.array([e[name] for e in rows]))

    def plot(self, path: str, metric: str | None = None) -> str:
        """Loss and ``metric`` against iterations and wall time, saved as a PNG."""
        return plot_histories({self.label or "training": self}, path, metric)


def _progress(total: int, enabled: bool | None, desc: str) -> Any:
    if enabled is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if enabled:
            warnings.warn("progress bar requested but tqdm is not installed "
                          "(pip install 'wengert[progress]')", stacklevel=3)
        return None
    return tqdm(total=total, desc=desc or "fit", unit="step", leave=False)


def _nan_message(loss: float, step: int, epoch: int, gradient: str) -> str:
    hint = ("forward gradients have high variance; lower lr or raise n_samples"
            if gradient == "forward" else "lower the learning rate")
    return (f"training stopped: the loss became {loss} at step {step} (epoch {epoch}); "
            f"the parameters have diverged; {hint}")


def _gradient_fn(loss: Callable[..., Any], gradient: str, n_samples: int,
                 distribution: str) -> Callable[..., tuple[Any, Any]]:
    """``(params, batch, rng) -> (loss value, gradient or its estimate)``."""
    if gradient == "backprop":
        vg = value_and_grad(loss)
        return lambda params, batch, rng: vg(params, *batch)
    if gradient == "forward":
        return lambda params, batch, rng: forward_grad(
            loss, params, *batch, rng=rng, n_samples=n_samples, distribution=distribution)
    raise ValueError(f"fit: gradient must be 'backprop' or 'forward', not {gradient!r}")


def fit(loss: Callable[..., Any], params: Any, optimizer: Optimizer,
        data: Sequence[np.ndarray], *, epochs: int = 1, batch_size: int = 64, seed: Any = 0,
        gradient: str = "backprop", n_samples: int = 1, distribution: str = "normal",
        evaluate: Metrics | None = None, eval_every: int | None = None,
        max_steps: int | None = None, max_time: float | None = None,
        progress: bool | None = None, label: str = "",
        client: Any = None) -> tuple[Any, History]:
    """Train ``params`` on ``data`` (a tuple of aligned arrays); returns ``(params, history)``.

    ``evaluate(params) -> {name: value}`` runs before training, every
    ``eval_every`` steps (default: once per epoch) and at the end.  Training
    stops after ``epochs``, ``max_steps`` steps or ``max_time`` training seconds.
    Shuffling and forward-gradient directions are drawn from ``seed``.

    With a Dask ``client`` the data is scattered into one shard per worker and
    the steps run there (:func:`wengert.distributed.fit`; the same steps, to
    rounding).
    """
    if client is not None:
        from . import distributed

        return distributed.fit(lambda p, batch: loss(p, *batch), params, optimizer,
                               distributed.scatter(client, tuple(data)), epochs=epochs,
                               batch_size=batch_size, seed=seed, gradient=gradient,
                               n_samples=n_samples, distribution=distribution,
                               evaluate=evaluate, eval_every=eval_every, max_steps=max_steps,
                               max_time=max_time, progress=progress, label=label)
    step_fn = _gradient_fn(loss, gradient, n_samples, distribution)
    rng = np.random.default_rng(seed)

    def step(params: Any, state: Any, batch: Any) -> tuple[Any, Any, int]:
        return (*step_fn(params, batch, rng), len(batch[0]))

    return run_steps(step, lambda epoch: minibatches(*data, batch_size=batch_size, seed=rng),
                     params, optimizer, optimizer.init(params), n_rows=len(data[0]),
                     epochs=epochs, batch_size=batch_size, gradient=gradient,
                     evaluate=evaluate, eval_every=eval_every, max_steps=max_steps,
                     max_time=max_time, progress=progress, label=label)


def run_steps(step: Callable[[Any, Any, Any], tuple[Any, Any, int]],
              epoch_batches: Callable[[int], Iterable[Any]], params: Any,
              optimizer: Optimizer, state: Any, *, n_rows: int, epochs: int, batch_size: int,
              gradient: str, evaluate: Metrics | None, eval_every: int | None,
              max_steps: int | None, max_time: float | None, progress: bool | None,
              label: str, start: Callable[[], None] | None = None) -> tuple[Any, History]:
    """The loop of :func:`fit`, shared with :func:`wengert.distributed.fit`:
    ``step(params, state, batch) -> (loss value, gradient, rows)`` for each batch
    of ``epoch_batches(epoch)``, then the optimiser's update, with the history,
    evaluations, stopping rules and progress bar.  ``start()`` runs after the first
    evaluation, before the first step."""
    hist = History(label=label)
    total = epochs * num_batches(n_rows, batch_size)
    total = total if max_steps is None else min(max_steps, total)
    bar = _progress(total, progress, label)

    def done() -> bool:
        return (max_steps is not None and len(hist.step) >= max_steps) or (
            max_time is not None and bool(hist.time) and hist.time[-1] >= max_time)

    def run_eval(epoch: int) -> None:
        if evaluate is not None:
            hist.evals.append({"step": len(hist.step), "epoch": epoch,
                               "time": hist.time[-1] if hist.time else 0.0,
                               **evaluate(params)})

    run_eval(0)
    try:
        if start is not None:
            start()
        for epoch in range(1, epochs + 1):
            n_before = len(hist.step)
            for batch in epoch_batches(epoch):
                t0 = time.perf_counter()
                value, grads, rows = step(params, state, batch)
                value = float(value)
                if not math.isfinite(value):
                    hist.stopped = _nan_message(value, len(hist.step), epoch, gradient)
                    warnings.warn(hist.stopped, RuntimeWarning, stacklevel=3)
                    return params, hist
                params, state = optimizer.update(grads, state, params)
                _record(hist, value, time.perf_counter() - t0, bar, rows)
                if eval_every and len(hist.step) % eval_every == 0:
                    run_eval(epoch)
                if done():
                    break
            last = done() or epoch == epochs
            if (not eval_every and n_before < len(hist.step)) or (
                    last and len(hist.step) % (eval_every or 1)):
                run_eval(epoch)  # per epoch by default; else at the very end too
            hist.epochs.append(_epoch_summary(hist, epoch, n_before, batch_size))
            if last:
                break
    finally:
        if bar is not None:
            bar.close()
    return params, hist


def _record(hist: History, value: float, seconds: float, bar: Any, batch: int) -> None:
    clock = (hist.time[-1] if hist.time else 0.0) + seconds
    hist.step.append(len(hist.step) + 1)
    hist.loss.append(value)
    hist.time.append(clock)
    if bar is not None:
        bar.update(1)
        if len(hist.step) % 10 == 0:
            bar.set_postfix(loss=f"{value:.4f}", samples_s=f"{batch / max(seconds, 1e-9):.0f}")


def _epoch_summary(hist: History, epoch: int, first: int, batch_size: int) -> dict:
    losses = hist.loss[first:]
    seconds = hist.time[-1] - (hist.time[first - 1] if first else 0.0) if losses else 0.0
    row = {"epoch": epoch, "loss": float(np.mean(losses)) if losses else float("nan"),
           "seconds": seconds, "samples_per_s": batch_size * len(losses) / max(seconds, 1e-9)}
    if hist.evals and hist.evals[-1]["epoch"] == epoch:
        row.update({k: v for k, v in hist.evals[-1].items()
                    if k not in ("step", "epoch", "time")})
    return row


def plot_histories(histories: Mapping[str, History], path: str,
                   metric: str | None = None) -> str:
    """Compare runs: loss (and ``metric``, default the first evaluated one) against
    iterations and wall time, in one PNG."""
    try:
        from matplotlib.figure import Figure  # no pyplot: leaves the user's backend alone
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'wengert[plot]'") from e
    if metric is None:
        names = [k for h in histories.values() for e in h.evals for k in e
                 if k not in ("step", "epoch", "time")]
        metric = names[0] if names else None
    rows = 2 if metric else 1
    fig = Figure(figsize=(10, 3.6 * rows))
    axes = fig.subplots(rows, 2, squeeze=False)
    for name, h in histories.items():
        axes[0, 0].plot(h.step, h.loss, label=name, lw=0.8)
        axes[0, 1].plot(h.time, h.loss, label=name, lw=0.8)
        if metric:
            steps, times, values = h.metric(metric)
            axes[1, 0].plot(steps, values, marker=".", label=name)
            axes[1, 1].plot(times, values, marker=".", label=name)
    for ax in axes[0]:
        ax.set_ylabel("training loss")
        ax.set_yscale("log")
    if metric:
        for ax in axes[1]:
            ax.set_ylabel(metric)
    for r in range(rows):
        axes[r, 0].set_xlabel("iteration")
        axes[r, 1].set_xlabel("training time (s)")
        for ax in axes[r]:
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
