"""The ``wengert`` command, end to end through subprocesses."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import types

import pytest

from wengert import cli

SEED = "ln(x1) + x1*x2 - sin(x2)"


def run(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "wengert.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=cwd, env=env)


def test_trace_forward_reproduces_the_slides():
    r = run("trace", SEED, "--at", "x1=2", "x2=5", "--mode", "forward", "--wrt", "x1")
    assert r.returncode == 0, r.stderr
    assert "v₂   = v₋₁v₀    = 10       v̇₂   = v̇₋₁v₀ + v̇₀v₋₁  = 5" in r.stdout
    assert "ẏ    = v̇₅             = 5.5" in r.stdout


def test_trace_reverse_with_graph_and_source(tmp_path):
    dot = tmp_path / "g.dot"
    r = run("trace", SEED, "--at", "x1=2", "x2=5", "--mode", "reverse", "--source",
            "--graph", str(dot))
    assert r.returncode == 0, r.stderr
    assert "v̄₋₁  = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁  = 5.5" in r.stdout
    assert "def f_grad(x1, x2, y_bar=1.0):" in r.stdout
    assert dot.read_text().startswith("digraph") and "v̄₀ = 1.716" in dot.read_text()


def test_trace_blog_style_markdown():
    r = run("trace", "x1*x2 + x2 - ln(x1)", "--at", "x1=3", "x2=-4", "--mode", "reverse",
            "--style", "blog", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert "| v̄₋₁ = x̄₁ = v̄₂ ⋅ (1 / v₋₁) + v̄₁ ⋅ v₀ | -1 ⋅ (1 / 3) + 1 ⋅ -4 = -4.33 |" \
        in r.stdout


def test_trace_html_ascii_and_tangent_vector():
    r = run("trace", "x*y", "--at", "x=2", "y=3", "--mode", "forward", "--tangent", "x=1",
            "y=1", "--format", "html")
    assert r.returncode == 0 and "<table>" in r.stdout and "= 5" not in r.stdout
    r = run("trace", SEED, "--at", "x1=2", "x2=5", "--mode", "reverse", "--ascii")
    assert r.returncode == 0 and "vbar[-1]" in r.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
def test_demo_draws_its_graph(tmp_path):
    r = run("demo", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "gradient, reverse mode" in r.stdout and "(5.500000, 1.716338)" in r.stdout
    assert "Forward tangent trace" in r.stdout and "Reverse adjoint trace" in r.stdout
    assert "<svg" in (tmp_path / "wengert-demo.svg").read_text()


def test_fd_with_plot(tmp_path):
    png = tmp_path / "fd.png"
    args = ["fd", "cos(x)", "--at", "x=2"]
    if importlib.util.find_spec("matplotlib"):
        args += ["--plot", str(png)]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert "forward float32" in r.stdout and "central float64" in r.stdout
    assert "1e-12" in r.stdout
    if importlib.util.find_spec("matplotlib"):
        assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.skipif(importlib.util.find_spec("sympy") is None, reason="sympy not installed")
def test_swell():
    r = run("swell", "--layers", "3")
    assert r.returncode == 0, r.stderr
    assert "SymPy ∂f (nodes)" in r.stdout and "AD gradient (ops)" in r.stdout


@pytest.mark.parametrize("expr", ["__import__('os').system('touch PWNED')",
                                  "x.__class__", "9**9**9", "x" + "+x" * 600])
def test_hostile_expressions_exit_2(expr, tmp_path):
    r = run("trace", expr, "--at", "x=1", cwd=str(tmp_path))
    assert r.returncode == 2
    assert "Allowed:" in r.stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("args", [
    ["trace", SEED],                                        # no --at
    ["trace", SEED, "--at", "x1=2"],                        # a variable missing
    ["trace", SEED, "--at", "x1=2", "x2=5", "z=1"],         # an unknown one
    ["trace", SEED, "--at", "x1=two", "x2=5"],              # not a number
    ["trace", SEED, "--at", "x1=2", "x2=5", "--wrt", "x3", "--mode", "forward"],
    ["trace", SEED, "--at", "x1=2", "x2=5", "--wrt", "x1"],  # --wrt without forward mode
    ["fd", "cos(x)", "--at", "x=2", "--wrt", "y"],
    ["swell", "--layers", "99"],
    ["frobnicate"],
    [],
])
def test_bad_usage_exits_2(args):
    with pytest.raises(SystemExit) as err:
        cli.main(args)
    assert err.value.code == 2


@pytest.mark.parametrize("sub", ["trace", "fd", "swell", "demo"])
def test_help_everywhere(sub, capsys):
    with pytest.raises(SystemExit) as err:
        cli.main([sub, "--help"])
    assert err.value.code == 0
    assert "usage: wengert" in capsys.readouterr().out


def test_top_level_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for sub in ("trace", "fd", "swell", "experiment", "demo"):
        assert sub in r.stdout


def test_experiment_dispatches_to_its_module(monkeypatch):
    seen = []
    fake = types.ModuleType("wengert.experiments.cli")
    fake.main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "wengert.experiments.cli", fake)
    assert cli.main(["experiment", "run", "--help"]) == 0
    assert seen == [["run", "--help"]]


def test_experiment_missing_module_says_so(monkeypatch, capsys):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(cli.importlib, "import_module", missing)
    assert cli.main(["experiment", "list"]) == 1
    assert "not available" in capsys.readouterr().err


def test_missing_graphviz_is_explained(monkeypatch, capsys, tmp_path):
    from wengert.ir import graph
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    code = cli.main(["trace", "x*x", "--at", "x=3", "--graph", str(tmp_path / "g.svg")])
    assert code == 1
    captured = capsys.readouterr()
    assert "v₁" in captured.out and "install graphviz" in captured.err.lower()


def test_demo_without_graphviz_leaves_dot_text(monkeypatch, capsys, tmp_path):
    from wengert.ir import graph
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    assert cli.main(["demo", "--graph", str(tmp_path / "d.svg")]) == 0
    assert (tmp_path / "d.dot").read_text().startswith("digraph")
    out = capsys.readouterr().out
    assert "def f_grad(x1, x2, y_bar=1.0):" in out and "(5.500000, 1.716338)" in out
