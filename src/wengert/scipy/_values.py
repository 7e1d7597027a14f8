"""The values that the composite functions of :mod:`wengert.scipy.stats` decide on
(masks, branch choices, checks), written so that they also hold under ``vmap``.

A decision made per entry comes from :func:`value` (batch boxes kept, so NumPy code on
it computes per example) and is applied with ``wnp.where``; a decision for the whole call
(``if any entry is off the support``) looks at every example at once (:func:`all`,
:func:`any`), so a path is taken only where it is right for the whole batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wengert.core.batching import batched_value
from wengert.core.tracing import Box, unbox

_NUMPY = (np.ndarray, np.generic)


def value(x: Any) -> Any:
    """``x``'s value, not differentiated: a plain array, or batch boxes around it."""
    if type(x) is np.ndarray:
        return x
    v = batched_value(x)
    return v if isinstance(v, Box) else np.asarray(v)


def all(mask: Any) -> bool:  # noqa: A001 - read as values.all(mask)
    """Whether ``mask`` holds everywhere (in every example, under ``vmap``)."""
    # ndarray.all, not np.all: a microsecond less, and these run on every call
    if type(mask) is np.ndarray:
        return bool(mask.all())
    v = unbox(mask)
    if type(v) is bool:
        return v
    return bool(v.all() if isinstance(v, _NUMPY) else np.all(v))


def any(mask: Any) -> bool:  # noqa: A001
    """Whether ``mask`` holds somewhere (in some example, under ``vmap``)."""
    if type(mask) is np.ndarray:
        return bool(mask.any())
    v = unbox(mask)
    return bool(v.any() if isinstance(v, _NUMPY) else np.any(v))


def count(mask: Any) -> Any:
    """The number of true entries of ``mask``: an int, or one per example under ``vmap``."""
    n = np.sum(mask)
    return n if isinstance(n, Box) else int(n)
