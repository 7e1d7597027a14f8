"""Weight initialisers: Glorot (Xavier) and He (Kaiming), uniform and normal.

Each takes an explicit ``np.random.Generator`` (or an int seed) so that a
network's starting point is reproducible.  Weights are laid out ``(fan_in,
fan_out)`` because layers compute ``x @ w``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Initializer = Callable[..., np.ndarray]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 1:
        raise ValueError("initialisers need a shape with at least one dimension")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[0] * receptive, shape[1] * receptive


def _generator(rng: Any) -> np.random.Generator:
    if rng is None:
        raise ValueError("pass rng= (an np.random.Generator or an int seed): initialisation "
                         "must be reproducible")
    return np.random.default_rng(rng)


def glorot_uniform(rng: Any, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _fans(tuple(shape))
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return _generator(rng).uniform(-bound, bound, shape).astype(dtype)


def glorot_normal(rng: Any, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    """N(0, 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tuple(shape))
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return (_generator(rng).standard_normal(shape) * std).astype(dtype)


def he_uniform(rng: Any, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / fan_in) (He et al., 2015), for ReLU networks."""
    fan_in, _ = _fans(tuple(shape))
    bound = np.sqrt(6.0 / fan_in)
    return _generator(rng).uniform(-bound, bound, shape).astype(dtype)


def he_normal(rng: Any, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    """N(0, 2 / fan_in)."""
    fan_in, _ = _fans(tuple(shape))
    std = np.sqrt(2.0 / fan_in)
    return (_generator(rng).standard_normal(shape) * std).astype(dtype)


def zeros(rng: Any, shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal, "zeros": zeros,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """An initialiser by name (``"glorot_uniform"``, ``"he_normal"`` ...) or as given."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except KeyError:
        raise ValueError(f"unknown initialiser {init!r}; choose one of "
                         f"{sorted(INITIALIZERS)} or pass a function") from None
