"""``wengert.scipy``: differentiable versions of SciPy functions, in SciPy's layout.

>>> import wengert.scipy.stats as stats
>>> wengert.grad(lambda mu: stats.norm.logpdf(1.0, mu, 2.0))(0.5)

Like ``autograd.scipy``, but in both modes and to any order: every function is
made of wengert primitives.  The submodules (``special``, ``stats``, ``linalg``,
``signal``, ``integrate``, ``optimize``) load on first use, and SciPy itself
only when a function first needs it.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

if importlib.util.find_spec("scipy") is None:  # finds SciPy without importing it
    raise ImportError("wengert.scipy needs SciPy, which is not installed: "
                      "pip install wengert[scipy]  (or pip install scipy)")

# SciPy's subpackages that wengert mirrors (those present in this installation).
_SUBMODULES = tuple(name for name in ("special", "stats", "linalg", "signal", "integrate",
                                      "optimize")
                    if importlib.util.find_spec(f"{__name__}.{name}") is not None)

__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:  # wengert.scipy.stats without importing it first
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
