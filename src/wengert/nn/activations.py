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
from ..rules.special import erf
from ..rules.special import relu as relu_p  # defined with the other rules


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
_SQRT_HALF = float(np.sqrt(0.5))


def gelu(x: Any, approximate: bool = True) -> Any:
    """GELU (Hendrycks & Gimpel): x·Φ(x).

    ``approximate=True`` (JAX's default) uses the tanh form, PyTorch's
    ``approximate='tanh'``; ``False`` is the exact erf form, PyTorch's default.
    """
    if not approximate:
        return 0.5 * x * (1.0 + erf(x * _SQRT_HALF))
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
