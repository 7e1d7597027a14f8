"""Training on scikit-learn's 8×8 digits: backprop vs forward gradients.

The paper's MLP scaled to 64 inputs (default 64-1024-1024-10, ReLU, softmax
cross-entropy, batch 64, float32).  Backprop trains with Adam.  Forward
gradients train with SGD + momentum and a cosine-decayed learning rate
(Adam's per-coordinate normalisation turns the estimate's noise into steps of
full size; a constant rate lets the heavy-tailed noise undo late progress)
once per ``n_samples`` in ``samples``, each for the same number of ``steps``.
``n_samples = k`` costs
k directional derivatives per step and has k times less variance, so by
default its learning rate is ``k·fg_lr`` (``fg_lr_scaling="linear"``).  Test
accuracy is evaluated along the way; the plot shows loss and accuracy against
iterations and wall time.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import load_digits
from ..nn import MLP, accuracy, softmax_cross_entropy
from ..optim import SGD, Adam, cosine_decay
from ..train import History, fit, plot_histories


def _summary(h: History, k: int | None) -> dict:
    steps, times, acc = h.metric("accuracy")
    return {"n_samples": k, "steps": len(h.step), "seconds": h.time[-1] if h.time else 0.0,
            "final_accuracy": float(acc[-1]), "best_accuracy": float(acc.max()),
            "final_loss": float(np.mean(h.loss[-20:])) if h.loss else float("nan"),
            "stopped": h.stopped,
            "accuracy_curve": [(int(s), float(t), float(a)) for s, t, a in zip(steps, times, acc)]}


def run(hidden: Sequence[int] = (1024, 1024), *, epochs: int = 10, lr: float = 1e-3,
        samples: Sequence[int] = (1, 4, 16), steps: int = 400, fg_lr: float = 5e-5,
        fg_momentum: float = 0.9, fg_schedule: str = "cosine", fg_lr_scaling: str = "linear",
        distribution: str = "normal", batch_size: int = 64,
        seed: int = 0, dtype: Any = np.float32, plot: str | None = None,
        progress: bool | None = False) -> dict:
    """Train once with backprop and once per ``n_samples`` with forward gradients."""
    d = load_digits(seed=seed, dtype=dtype)
    net = MLP([64, *hidden, 10], dtype=dtype)
    p0 = net.init(seed)

    def loss(p: Any, x: np.ndarray, y: np.ndarray) -> Any:
        return softmax_cross_entropy(net(p, x), y)

    def evaluate(p: Any) -> dict:
        return {"accuracy": accuracy(net(p, d.x_test), d.y_test)}

    data = (d.x_train, d.y_train)
    _, bp = fit(loss, p0, Adam(lr=lr), data, epochs=epochs, batch_size=batch_size, seed=seed,
                evaluate=evaluate, progress=progress, label="backprop (Adam)")
    histories = {"backprop (Adam)": bp}
    results: dict[str, Any] = {"backprop": _summary(bp, None), "forward": []}
    for k in samples:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # reported in "stopped" instead
            peak = fg_lr * k if fg_lr_scaling == "linear" else fg_lr
            lr_k = cosine_decay(peak, steps) if fg_schedule == "cosine" else peak
            _, h = fit(loss, p0, SGD(lr=lr_k, momentum=fg_momentum), data, epochs=10**6,
                       batch_size=batch_size, seed=seed, gradient="forward", n_samples=k,
                       distribution=distribution, evaluate=evaluate,
                       eval_every=max(1, steps // 20), max_steps=steps, progress=progress,
                       label=f"forward gradient, n_samples={k}")
        histories[h.label] = h
        results["forward"].append(_summary(h, k))
    results.update({"sizes": [64, *hidden, 10], "n_train": len(d.x_train),
                    "n_test": len(d.x_test), "adam_lr": lr, "fg_lr": fg_lr,
                    "fg_momentum": fg_momentum, "fg_schedule": fg_schedule,
                    "fg_lr_scaling": fg_lr_scaling, "steps": steps,
                    "distribution": distribution,
                    "plot": plot_histories(histories, plot, "accuracy") if plot else None})
    return results


def _acc_at(curve: list, step: int) -> str:
    """Accuracy at the last evaluation at or before ``step`` (none after step 0: "-")."""
    before = [(s, a) for s, _, a in curve if 0 < s <= step]
    return f"{100 * before[-1][1]:.1f}% (step {before[-1][0]})" if before else "-"


def format_table(r: dict) -> str:
    """The results as a Markdown table."""
    common = min([r["backprop"]["steps"]] + [f["steps"] for f in r["forward"]])
    lines = [f"digits, MLP {'-'.join(map(str, r['sizes']))}, {r['n_train']} train / "
             f"{r['n_test']} test images; forward gradients: SGD lr={r['fg_lr']:g}"
             f"{' × n_samples' if r['fg_lr_scaling'] == 'linear' else ''} "
             f"({r['fg_schedule']} decay), "
             f"momentum={r['fg_momentum']:g}, {r['distribution']} directions",
             "",
             f"| method | steps | training time (s) | test accuracy | best | "
             f"accuracy by step {common} |",
             "|---|---|---|---|---|---|"]
    b = r["backprop"]
    lines.append(f"| backprop (Adam lr={r['adam_lr']:g}) | {b['steps']} | {b['seconds']:.1f} | "
                 f"{100 * b['final_accuracy']:.1f}% | {100 * b['best_accuracy']:.1f}% | "
                 f"{_acc_at(b['accuracy_curve'], common)} |")
    for f in r["forward"]:
        note = " (stopped: loss not finite)" if f["stopped"] else ""
        lines.append(f"| forward gradient, n_samples={f['n_samples']}{note} | {f['steps']} | "
                     f"{f['seconds']:.1f} | {100 * f['final_accuracy']:.1f}% | "
                     f"{100 * f['best_accuracy']:.1f}% | "
                     f"{_acc_at(f['accuracy_curve'], common)} |")
    return "\n".join(lines)
