"""Activation functions, written so that their derivatives are finite everywhere.

``relu`` is a primitive of its own: one recorded node instead of a comparison
plus a product, and its derivative keeps the input's dtype (float32 stays
float32).  The others are compositions of differentiable ``wengert.numpy``
functions chosen for stability: ``sigmoid`` through ``tanh`` (no overflow of
``exp``), ``softplus`` through ``logaddexp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import numpy as wnp
from ..core.primitive import Primitive

relu_p = Primitive("relu", lambda x: np.maximum(x, 0), keep_args=False)
# d relu / dx = 1 where the output is positive, 0 elsewhere (0 at x = 0, as PyTorch).
relu_p.defjvp(lambda t, ans, x: t * (ans > 0))
relu_p.defvjp(lambda g, ans, x: g * (ans > 0))


def relu(x: Any) -> Any:
    """max(x, 0)."""
    return relu_p(x)


def tanh(x: Any) -> Any:
    return wnp.tanh(x)


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2, which never overflows."""
    return 0.5 * (wnp.tanh(0.5 * x) + 1.0)


def softplus(x: Any) -> Any:
    """log(1 + e^x) = logaddexp(x, 0): finite for any x, derivative sigmoid(x)."""
    return wnp.logaddexp(x, 0.0)


_GELU_C = float(np.sqrt(2.0 / np.pi))


def gelu(x: Any) -> Any:
    """GELU, tanh approximation (Hendrycks & Gimpel; PyTorch's ``approximate='tanh'``)."""
    return 0.5 * x * (1.0 + wnp.tanh(_GELU_C * (x + 0.044715 * x * x * x)))


ACTIVATIONS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid, "softplus": softplus,
               "gelu": gelu}


def get_activation(name: str | Any) -> Any:
    """An activation by name, or the function itself."""
    if callable(name):
        return name
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{sorted(ACTIVATIONS)} or pass a function") from None
