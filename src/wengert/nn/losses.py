"""Losses: mean squared error and softmax cross-entropy from logits.

Cross-entropy is computed in log-sum-exp form, ``log p_k = z_k - m -
log Σ_j exp(z_j - m)`` with ``m = max_j z_j``: every exponent is ≤ 0, so
nothing overflows, and the largest term is exactly 1, so the log never sees 0.
The result is finite and exact for logits of any size (±1e4 included), and so
is its gradient ``softmax(z) - y``.  ``m`` is held constant (``stop_gradient``):
log-softmax does not change when a constant is subtracted, so this is exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as wnp
from ..core.tracing import unbox
from ..transforms import stop_gradient

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(x: Any, reduction: str) -> Any:
    if reduction == "mean":
        return wnp.mean(x)
    if reduction == "sum":
        return wnp.sum(x)
    if reduction == "none":
        return x
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, not {reduction!r}")


def mse(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """Mean squared error ``mean((pred - target)**2)``."""
    if np.shape(pred) != np.shape(target):
        raise ValueError(f"mse: pred has shape {np.shape(pred)} but target has shape "
                         f"{np.shape(target)}")
    d = pred - target
    return _reduce(d * d, reduction)


def log_softmax(logits: Any, axis: int = -1) -> Any:
    """``logits - logsumexp(logits)`` along ``axis``, stable for any magnitude."""
    m = stop_gradient(wnp.max(logits, axis=axis, keepdims=True))
    z = logits - m
    return z - wnp.log(wnp.sum(wnp.exp(z), axis=axis, keepdims=True))


def one_hot(labels: Any, num_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Integer labels ``(...)`` as one-hot rows ``(..., num_classes)``."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), found values from "
                         f"{labels.min()} to {labels.max()}")
    return (labels[..., None] == np.arange(num_classes)).astype(dtype)


def _targets(logits: Any, labels: Any) -> np.ndarray:
    """Labels as target distributions shaped like ``logits``."""
    shape = np.shape(logits)
    dtype = np.result_type(unbox(logits))
    labels = np.asarray(unbox(labels))
    if labels.dtype.kind in "iu":
        if labels.shape != shape[:-1]:
            raise ValueError(f"softmax_cross_entropy: integer labels need shape {shape[:-1]} "
                             f"for logits of shape {shape}, got {labels.shape}")
        return one_hot(labels, shape[-1], dtype)
    if labels.shape != shape:
        raise ValueError(f"softmax_cross_entropy: one-hot/probability labels need the logits' "
                         f"shape {shape}, got {labels.shape}")
    return labels.astype(dtype, copy=False)


def softmax_cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> Any:
    """Cross-entropy of ``softmax(logits)`` against ``labels``.

    ``logits`` has shape ``(..., C)``; ``labels`` are integer classes of shape
    ``(...)`` or one-hot / probability rows of shape ``(..., C)``.  Averaged
    over the leading axes by default.
    """
    targets = _targets(logits, labels)
    per_example = -wnp.sum(targets * log_softmax(logits), axis=-1)
    return _reduce(per_example, reduction)


def accuracy(logits: Any, labels: Any) -> float:
    """Fraction of rows whose largest logit is the labelled class."""
    logits = np.asarray(unbox(logits))
    labels = np.asarray(unbox(labels))
    if labels.ndim == logits.ndim:
        labels = labels.argmax(axis=-1)
    return float(np.mean(logits.argmax(axis=-1) == labels))
