"""Derivative rules, one module per family of primitives.

Every primitive is defined once, in the module of its family, together with
its implementation and its JVP and VJP rules (see :mod:`wengert.core.primitive`).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._util import all_primitives

# Modules whose ``__all__`` makes up ``wengert.numpy``'s top-level namespace.
FAMILIES = ["elementwise", "shape", "reductions", "linalg", "linalg_ext", "indexing",
            "statistics", "polynomial"]


def all_families() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in FAMILIES]


__all__ = ["all_primitives", "all_families", "FAMILIES"]
