"""``wengert.special``: the old name of :mod:`wengert.scipy.special` (the same module).

Unlike the rest of ``wengert.scipy`` it works without SciPy: the functions with
NumPy code of their own (``erf``, ``gammaln``, ``digamma``, ``logsumexp`` ...) use it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _load() -> ModuleType:
    if importlib.util.find_spec("scipy") is not None:
        import wengert.scipy.special as module
        return module
    # Without SciPy, wengert.scipy refuses to import: load its special.py on its own.
    path = Path(__file__).with_name("scipy") / "special.py"
    spec = importlib.util.spec_from_file_location(__name__, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.modules[__name__] = _load()
