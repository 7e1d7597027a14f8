"""The lesson notebooks in docs/notebooks/: run on a real Jupyter kernel, outputs checked.

Each notebook is executed once per session by nbclient on an ipykernel (the
``python3`` kernel that ipykernel installs), importing the wengert under test.
A failing ``assert`` cell (a seed's number that came out differently) or any
error fails the run.  The rendered outputs are then checked by MIME type: the
adjoint graph's SVG holds the adjoints, the HTML tables the seeds' values, the
derivative's source is Markdown, the plots are PNGs.  The expected numbers
below are typed from the seed documents, not computed.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

import wengert  # noqa: E402
from wengert import cli, lessons  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "docs" / "notebooks"
LESSONS = ["01-gradients.ipynb", "02-automatic-differentiation.ipynb",
           "03-whats-automatic-differentiation.ipynb", "04-control-flow-and-detach.ipynb",
           "05-gradients-without-backpropagation.ipynb"]
KERNEL = "python3"
TIMEOUT = 300  # seconds per cell; the slowest cell takes a few seconds

# (MIME type, substrings that one output of that type must all contain).  HTML is compared
# as its text with "|" between cells: "v₄ = v₃²|4|" is the row v₄ = v₃² with the value 4.
EXPECTED: dict[str, list[tuple[str, list[str]]]] = {
    "01-gradients.ipynb": [
        ("text/html", ["Forward primal trace", "v₁ = 1v₋₁|2|", "v₂ = v₁ + v₀|5|",
                       "v₃ = v₂ − 7|-2|", "v₄ = v₃²|4|"]),
        ("text/html", ["Reverse adjoint trace", "w̄ = v̄₋₁|-4|", "b̄ = v̄₀|-4|", "v̄₄ = ȳ|1|"]),
        ("image/svg+xml", ["v̄₋₁ = -4", "v̄₀ = -4", "v̄₃ = -4", "v̄₄ = 1"]),
        ("stream", ["w = 2.4, b = 3.4"]),
    ],
    "02-automatic-differentiation.ipynb": [
        ("text/html", ["v₁ = ln(v₋₁)|0.693|", "v₂ = v₋₁v₀|10|", "v₃ = sin(v₀)|-0.959|",
                       "v₄ = v₁ + v₂|10.693|", "y = v₅|11.652|"]),
        ("text/html", ["Forward tangent trace", "v̇₁ = v̇₋₁/v₋₁|0.5|",
                       "v̇₂ = v̇₋₁v₀ + v̇₀v₋₁|5|", "ẏ = v̇₅|5.5|"]),
        ("text/html", ["x̄₁ = v̄₋₁|5.5|", "x̄₂ = v̄₀|1.716|", "v̄₀ = v̄₃ ∂v₃/∂v₀|-0.284|",
                       "v̄₋₁ = v̄₂ ∂v₂/∂v₋₁|5|", "v̄₅ = ȳ|1|"]),
        ("image/svg+xml", ["v̄₋₁ = 5.5", "v̄₀ = 1.716", "v̄₃ = -1", "v̄₅ = 1"]),
        ("text/markdown", ["```python", "def f_grad(x1, x2", "np.cos(x2)",
                           "return (x1_bar, x2_bar)"]),
        ("text/html", ["exact AD derivative 5.5", "|best h|", "central float64"]),
        ("text/html", ["Expression swell", "SymPy ∂f (nodes)", "AD gradient (ops)"]),
    ],
    "03-whats-automatic-differentiation.ipynb": [
        ("text/html", ["f at x1 = 2, x2 = 4", "y = v₄|11.31|"]),
        ("text/html", ["Forward tangent trace", "-16 - 1.10 = -17.10", "ẏ = v̇₄|4|"]),
        ("text/html", ["Reverse adjoint trace", "= -4.33|", "1 ⋅ 1 + 1 ⋅ 3 = 4|"]),
        ("text/markdown", ["```python", "def g_grad(x", "x_bar"]),
        ("image/svg+xml", ["greater(v₀, 2)", "v₀ ⋅ 2"]),
    ],
    "04-control-flow-and-detach.ipynb": [
        ("image/svg+xml", ["stop_gradient(v₁)", "v̄₀ = 4", "v̄₂ = 0", "stroke-dasharray"]),
        ("text/html", ["Forward tangent trace", "|300|", "|1200|"]),
    ],
    "05-gradients-without-backpropagation.ipynb": [
        ("text/html", ["Forward tangent trace", "v₁ = 1 − v₋₁|1.5|", "f = v₇|32.5|",
                       "ḟ = v̇₇|-99.9|"]),
        ("text/markdown", ["```python", "def rosen_jvp(x, y, x_dot, y_dot)", "v7_dot"]),
        ("text/markdown", ["R_f", "R_b", "**2.46**", "**4.17**", "this CPU (ms)"]),
    ],
}
PLOTS = {"01-gradients.ipynb": 1, "02-automatic-differentiation.ipynb": 2,
         "03-whats-automatic-differentiation.ipynb": 1, "04-control-flow-and-detach.ipynb": 0,
         "05-gradients-without-backpropagation.ipynb": 2}


def kernel_env() -> dict[str, str]:
    """The test's environment, with the wengert under test first on the kernel's path."""
    env = dict(os.environ)
    pkg_parent = Path(wengert.__file__).resolve().parents[1]
    if pkg_parent.name != "site-packages":  # a source tree (src/): put it first
        env["PYTHONPATH"] = os.pathsep.join([str(pkg_parent)] + [
            p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("MPLBACKEND", None)  # the notebooks ask for the inline backend themselves
    return env


def execute(nb, cwd: Path):
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(cwd)}})
    return client.execute(env=kernel_env())


def run_lesson(name: str, cwd: Path):
    """The notebook run top to bottom, behind a first cell that reports which wengert the
    kernel imported (so a stale installation cannot pass for the code under test)."""
    nb = nbformat.read(NB_DIR / name, as_version=4)
    probe = nbformat.v4.new_code_cell("import wengert; print(wengert.__file__)", id="probe")
    nb.cells.insert(0, probe)
    nb = execute(nb, cwd)
    imported = nb.cells[0].outputs[0]["text"].strip()
    assert Path(imported).resolve() == Path(wengert.__file__).resolve(), (
        f"the {KERNEL} kernel imported {imported}, the tests use {wengert.__file__}: does a "
        f"user kernelspec point at another Python?")
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``executed(name)``: the lesson run once per test module (later calls reuse it)."""
    runs: dict = {}

    def get(name: str):
        if name not in runs:
            runs[name] = run_lesson(name, tmp_path_factory.mktemp("lesson"))
        return runs[name]
    return get


def outputs(nb) -> list[tuple[str, str]]:
    """Every output as (MIME type or "stream", text), entities unescaped."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream":
                out.append(("stream", o["text"]))
            for mime, data in o.get("data", {}).items():
                out.append((mime, cell_text(data) if mime == "text/html" else
                            html.unescape(data) if mime != "image/png" else data))
    return out


def cell_text(markup: str) -> str:
    """HTML as its text, "|" where tags were (so table cells stay apart)."""
    return re.sub(r"\s*\|[\s|]*", "|", html.unescape(re.sub(r"<[^>]+>", "|", markup)))


# -- the committed files -------------------------------------------------------------------
def test_five_lessons_are_committed():
    assert sorted(p.name for p in NB_DIR.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("name", LESSONS)
def test_committed_notebook_has_no_outputs(name):
    nb = nbformat.read(NB_DIR / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == KERNEL
    for cell in nb.cells:
        assert "outputs" not in cell or cell.outputs == [], f"{name}: strip the outputs"
        assert cell.get("execution_count") is None, f"{name}: strip the execution counts"
        assert not cell.metadata, f"{name}: cell metadata {dict(cell.metadata)}"


def test_notebooks_are_what_the_build_script_writes():
    spec = importlib.util.spec_from_file_location("build_notebooks",
                                                  ROOT / "scripts" / "build_notebooks.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name, nb in build.build().items():
        assert (NB_DIR / name).read_text(encoding="utf-8") == build.render(nb), (
            f"{name} differs from scripts/build_notebooks.py: rerun it")


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_has_assert_cells(name):
    nb = nbformat.read(NB_DIR / name, as_version=4)
    asserts = [c for c in nb.cells if c.cell_type == "code"
               and re.search(r"^assert ", c.source, re.M)]
    assert len(asserts) >= 3


def test_readme_links_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in LESSONS:
        assert f"](docs/notebooks/{name})" in readme


# -- running them on a kernel --------------------------------------------------------------
def test_the_kernel_is_installed():
    from jupyter_client.kernelspec import KernelSpecManager
    specs = KernelSpecManager().find_kernel_specs()
    assert KERNEL in specs, (f"no '{KERNEL}' Jupyter kernel (found {sorted(specs)}); "
                             "pip install 'wengert[notebooks]' installs ipykernel's")


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_runs_and_renders(name, executed):
    got = outputs(executed(name))
    errors = [o for c in executed(name).cells for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert not errors
    for mime, parts in EXPECTED[name]:
        if mime == "image/svg+xml" and shutil.which("dot") is None:
            continue  # checked by test_graphs_render_as_svg, which says why it skips
        candidates = [text for m, text in got if m == mime]
        assert any(all(p in text for p in parts) for text in candidates), (
            f"{name}: no {mime} output contains all of {parts}")
    assert sum(m == "image/png" for m, _ in got) >= PLOTS[name]


@pytest.mark.parametrize("name", [n for n, exp in EXPECTED.items()
                                  if any(m == "image/svg+xml" for m, _ in exp)])
def test_graphs_render_as_svg(name, executed):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed: Trace has no SVG to show "
                    "(scripts/setup.sh installs it)")
    svgs = [text for m, text in outputs(executed(name)) if m == "image/svg+xml"]
    assert svgs and all(s.lstrip().startswith(("<?xml", "<svg")) for s in svgs)


def test_a_wrong_number_fails_the_run(tmp_path):
    """The assert cells can fail: change one seed number and the kernel reports it."""
    nb = nbformat.read(NB_DIR / "04-control-flow-and-detach.ipynb", as_version=4)
    k = next(i for i, c in enumerate(nb.cells) if "assert np.array_equal(grad_dot, 4 * x)"
             in c.source)
    nb.cells[k].source = nb.cells[k].source.replace("4 * x", "3 * x")
    nb.cells = nb.cells[:k + 1]
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="AssertionError"):
        execute(nb, tmp_path)


# -- wengert demo --notebook ---------------------------------------------------------------
def test_demo_copies_the_notebooks(tmp_path, capsys):
    dest = tmp_path / "lessons"
    assert cli.main(["demo", "--notebook", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == LESSONS
    for name in LESSONS:
        assert (dest / name).read_bytes() == (NB_DIR / name).read_bytes()
    assert "jupyter lab" in capsys.readouterr().out
    (dest / LESSONS[0]).write_text("my edits", encoding="utf-8")
    assert cli.main(["demo", "--notebook", str(dest)]) == 0
    assert (dest / LESSONS[0]).read_text(encoding="utf-8") == "my edits"   # not overwritten
    assert "kept" in capsys.readouterr().out


def test_demo_notebook_into_a_file_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(SystemExit) as err:
        cli.main(["demo", "--notebook", str(target)])
    assert err.value.code == 2 and "not a directory" in capsys.readouterr().err


def test_the_package_finds_the_notebooks():
    assert [f.name for f in lessons.notebook_files()] == LESSONS


def test_a_regular_install_ships_the_notebooks(tmp_path):
    """setuptools' build_py (what a wheel holds) copies the notebooks as package data,
    as real files, and lessons finds them there without the repository."""
    pytest.importorskip("setuptools", reason="building needs setuptools (pip install setuptools)")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(NB_DIR, tmp_path / "docs" / "notebooks")
    for f in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / f, tmp_path / f)
    lib = tmp_path / "site" / "lib"  # no docs/ two levels up: only package data can serve
    proc = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()",
                           "-q", "build_py", "--build-lib", str(lib)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shipped = lib / "wengert" / "notebooks"
    assert sorted(p.name for p in shipped.iterdir()) == LESSONS
    assert not any(p.is_symlink() for p in shipped.iterdir()) and not shipped.is_symlink()
    probe = ("from wengert import lessons; "
             "print('\\n'.join(str(f) for f in lessons.notebook_files()))")
    env = dict(os.environ, PYTHONPATH=str(lib))
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = [Path(line) for line in proc.stdout.split()]
    assert [p.name for p in found] == LESSONS
    assert all(p.parent == shipped for p in found)


def test_notebooks_pass_ruff():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install 'wengert[test]')")
    proc = subprocess.run([ruff, "check", "--output-format", "concise", str(NB_DIR)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_without_the_package_link_the_repository_copy_is_used(monkeypatch, tmp_path):
    """A checkout that lost the symbolic link (src/wengert/notebooks) still finds them."""
    monkeypatch.setattr(lessons.resources, "files", lambda pkg: tmp_path / "no-such-package")
    found = lessons.notebook_files()
    assert [f.name for f in found] == LESSONS
    assert all(Path(str(f)).parent.resolve() == NB_DIR.resolve() for f in found)


def test_no_notebooks_anywhere_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(lessons, "_candidates", lambda: [tmp_path / "a", tmp_path])
    with pytest.raises(FileNotFoundError, match="docs/notebooks"):
        lessons.notebook_files()
    assert cli.main(["demo", "--notebook", str(tmp_path / "out")]) == 1
    assert "lesson notebooks are not in this installation" in capsys.readouterr().err
