"""``import wengert`` loads NumPy and nothing optional; optional packages load on first use.

Run in subprocesses, so the test process's own imports cannot hide a leak.  The
import time itself is measured in benchmarks/workloads/imports.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

OPTIONAL = ["scipy", "matplotlib", "graphviz", "sympy", "tqdm", "sklearn", "dask",
            "distributed", "nbclient", "nbformat", "ipykernel", "IPython", "pandas", "torch",
            "jax", "autograd"]


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted(m for m in {OPTIONAL!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_import_wengert_loads_no_optional_package() -> None:
    assert _loaded_after("import wengert") == []


@pytest.mark.parametrize("module", ["wengert.numpy", "wengert.special", "wengert.scipy",
                                    "wengert.scipy.special", "wengert.scipy.stats", "wengert.nn"])
def test_namespaces_load_scipy_on_first_use_only(module: str) -> None:
    assert _loaded_after(f"import wengert, {module}") == []


def test_scipy_loads_when_a_function_needs_it() -> None:
    pytest.importorskip("scipy")
    assert _loaded_after("import wengert.scipy.special as s; s.j0(1.0)") == ["scipy"]


def test_wengert_scipy_without_scipy_says_how_to_install() -> None:
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import wengert\n"
            "try:\n    import wengert.scipy.stats\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pip install wengert[scipy]" in out


def test_numpy_submodules_loaded_on_first_use_are_still_there() -> None:
    import numpy as np

    import wengert.numpy as wnp
    assert wnp.random is np.random  # not imported by `import wengert`, served on first use
