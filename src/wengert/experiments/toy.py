"""Beale and Rosenbrock: forward-gradient descent vs gradient descent.

Both methods start at the same point with the same learning rate; gradient
descent uses the exact gradient (reverse mode), forward-gradient descent the
estimate ``(∇f·v) v`` from one ``jvp`` with ``v ~ N(0, I)``.  "Reaching the
minimum" means ``f(x) - f* < tol``; for the stochastic method we report the
median over several seeds and how many seeds got there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..forward_grad import forward_grad
from ..transforms import value_and_grad


def beale(p: Any) -> Any:
    """Beale's function; global minimum 0 at (3, 0.5)."""
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def rosenbrock(p: Any) -> Any:
    """Rosenbrock's function (a=1, b=100); global minimum 0 at (1, 1)."""
    x, y = p[0], p[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


@dataclass(frozen=True)
class Problem:
    name: str
    f: Callable[[Any], Any]
    minimum: tuple[float, float]
    start: tuple[float, float]
    lr: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]


PROBLEMS = {
    "beale": Problem("beale", beale, (3.0, 0.5), (-0.5, -1.0), 5e-3, (-1.5, 4.0), (-1.6, 1.6)),
    "rosenbrock": Problem("rosenbrock", rosenbrock, (1.0, 1.0), (-1.2, 1.0), 1e-3,
                          (-1.6, 1.6), (-0.4, 2.2)),
}


@dataclass
class Run:
    """One descent: the points visited and when (if) it reached the minimum."""

    method: str
    seed: int | None
    points: np.ndarray
    iterations: int | None          # steps taken when f - f* < tol first held
    seconds: float | None           # wall time to that point
    total_seconds: float
    diverged: bool = False
    values: list[float] = field(default_factory=list)


def _gradient(f: Callable[[Any], Any], method: str,
              rng: np.random.Generator) -> Callable[[np.ndarray], tuple[Any, Any]]:
    if method == "backprop":
        return value_and_grad(f)
    if method == "forward":
        return lambda x: forward_grad(f, x, rng=rng)
    raise ValueError(f"method must be 'backprop' or 'forward', not {method!r}")


def descend(f: Callable[[Any], Any], start: tuple[float, float], lr: float, *, method: str,
            max_iter: int, tol: float, seed: int | None = None) -> Run:
    """Run gradient descent (``method="backprop"``) or forward-gradient descent."""
    grad_fn = _gradient(f, method, np.random.default_rng(seed))
    x = np.array(start, dtype=np.float64)
    points, values = [x.copy()], []
    reached, reached_t, diverged = None, None, False
    t0 = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        for i in range(max_iter + 1):
            value, g = grad_fn(x)
            values.append(float(value))
            if not np.isfinite(values[-1]):
                diverged = True
                break
            if values[-1] < tol:
                reached, reached_t = i, time.perf_counter() - t0
                break
            if i < max_iter:
                x = x - lr * g
                points.append(x.copy())
    total = time.perf_counter() - t0
    return Run(method, seed, np.array(points), reached, reached_t, total, diverged, values)


def compare(name: str, *, seeds: int = 8, max_iter: int = 20000, tol: float = 1e-4,
            lr: float | None = None, plot: str | None = None) -> dict:
    """Gradient descent once and forward-gradient descent for ``seeds`` seeds."""
    prob = PROBLEMS[name]
    lr = prob.lr if lr is None else lr
    bp = descend(prob.f, prob.start, lr, method="backprop", max_iter=max_iter, tol=tol)
    fg = [descend(prob.f, prob.start, lr, method="forward", max_iter=max_iter, tol=tol,
                  seed=s) for s in range(seeds)]
    if plot:
        plot_trajectories(prob, bp, fg[0], plot, lr)
    return {"problem": name, "start": prob.start, "lr": lr, "tol": tol, "max_iter": max_iter,
            "backprop": _summary([bp]), "forward": _summary(fg), "plot": plot}


def _summary(runs: list[Run]) -> dict:
    ok = [r for r in runs if r.iterations is not None]
    steps = sum(len(r.values) for r in runs)
    return {
        "runs": len(runs), "reached": len(ok), "diverged": sum(r.diverged for r in runs),
        "iterations": float(np.median([r.iterations for r in ok])) if ok else None,
        "seconds": float(np.median([r.seconds for r in ok])) if ok else None,
        "us_per_iter": 1e6 * sum(r.total_seconds for r in runs) / max(steps, 1),
    }


def plot_trajectories(prob: Problem, bp: Run, fg: Run, path: str, lr: float) -> str:
    """Both trajectories on a log-spaced contour plot of the function (PNG)."""
    try:
        from matplotlib.colors import LogNorm
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'wengert[plot]'") from e
    xs = np.linspace(*prob.xlim, 300)
    ys = np.linspace(*prob.ylim, 300)
    gx, gy = np.meshgrid(xs, ys)
    z = np.asarray(prob.f(np.stack([gx, gy]))) + 1e-12
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    levels = np.logspace(np.log10(max(z.min(), 1e-6)), np.log10(z.max()), 30)
    ax.contour(gx, gy, z, levels=levels, norm=LogNorm(), cmap="viridis", linewidths=0.6)
    # the noisy forward-gradient path first, the smooth gradient-descent one over it
    ax.plot(fg.points[:, 0], fg.points[:, 1], color="tab:blue", lw=0.9,
            label=f"forward gradient (seed {fg.seed})")
    ax.plot(bp.points[:, 0], bp.points[:, 1], color="tab:red", lw=1.6, ls="--",
            label="gradient descent (backprop)")
    ax.plot(*prob.start, "ko", ms=5, label="start")
    ax.plot(*prob.minimum, "k*", ms=10, label="minimum")
    ax.set_xlim(*prob.xlim)
    ax.set_ylim(*prob.ylim)
    ax.set_title(f"{prob.name}: same start, lr = {lr:g}")
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
