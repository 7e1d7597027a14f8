"""Workload: the wall time of a whole ``python -c "import wengert"`` process.

Beside it, as the reference, ``python -c "import numpy"`` (the floor: NumPy is
wengert's one hard dependency).  The target is ``import wengert`` under 0.15 s
where ``import numpy`` takes about 0.08 s, a ratio of about 1.9.

Each call starts a fresh interpreter with the same environment, except that
bytecode is cached (``PYTHONPYCACHEPREFIX`` in a temporary folder, and
``PYTHONDONTWRITEBYTECODE`` removed) as it is for an installed package: a run
before the timing writes the cache, the timed ones read it.  The wengert
imported is the one this runner would import (its folder is put first on
``PYTHONPATH``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._common import Workload

_CACHE = tempfile.mkdtemp(prefix="wengert-bench-pyc-")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _CACHE
    spec = importlib.util.find_spec("wengert")
    if spec is not None and spec.submodule_search_locations:
        src = str(Path(next(iter(spec.submodule_search_locations))).parent)
        env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _process(module: str) -> Any:
    def maker() -> tuple:
        cmd = [sys.executable, "-c", f"import {module}"]
        env = _env()

        def run() -> int:
            return subprocess.run(cmd, env=env, check=True).returncode
        run()  # writes the bytecode cache, outside the timing (the runner's first call
        # is timed too, and alone if it is slow)
        return run, (lambda out: (0.0, []))
    return maker


def workloads(quick: bool) -> list[Workload]:
    return [Workload(
        name="import_time", family="imports",
        title='whole-process wall time of python -c "import wengert" (vs "import numpy")',
        reference="handwritten", target=1.9,
        makers={"wengert": _process("wengert"), "handwritten": _process("numpy")},
    )]
