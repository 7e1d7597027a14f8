"""The computational graph: DOT text parsed back, collapsing, and drawing with Graphviz."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert.ir import graph, trace

NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """A small reader for the DOT wengert writes: node statements and edges."""
    assert text.startswith("digraph ") and text.rstrip().endswith("}")
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str]] = []
    for line in text.splitlines()[1:-1]:
        line = line.strip()
        m = re.fullmatch(r"(\w+) -> (\w+)( \[.*\])?;", line)
        if m:
            edges.append((m.group(1), m.group(2)))
            continue
        m = re.fullmatch(r"(\w+) \[(.*)\];", line)
        if m and m.group(1) not in ("node", "edge"):
            attrs = dict(re.findall(r'(\w+)=("[^"]*"|<.*>|[\w.]+)', m.group(2)))
            nodes[m.group(1)] = {k: v[1:-1] if v[:1] in "<\"" else v for k, v in attrs.items()}
    return nodes, edges


def _text(label: str) -> str:
    """The visible text of an HTML-like label."""
    return re.sub(r"<[^>]+>", " ", label).replace("&lt;", "<").replace("&gt;", ">")


@pytest.fixture
def t():
    return trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), 2.0, 5.0).sorted_by_depth()


def test_dot_nodes_edges_and_labels(t):
    nodes, edges = parse_dot(t.to_dot())
    assert set(nodes) == {"vm1", "v0", "v1", "v2", "v3", "v4", "v5", "y0"}
    assert sorted(edges) == sorted([("vm1", "v1"), ("vm1", "v2"), ("v0", "v2"), ("v0", "v3"),
                                    ("v1", "v4"), ("v2", "v4"), ("v4", "v5"), ("v3", "v5"),
                                    ("v5", "y0")])
    assert _text(nodes["v2"]["label"]).split() == ["v₂", "=", "v₋₁v₀", "10"]
    assert _text(nodes["vm1"]["label"]).split() == ["v₋₁", "=", "x₁", "2"]
    assert nodes["vm1"]["shape"] == "ellipse" and nodes["v5"]["shape"] == "box"
    assert "11.652" in nodes["v5"]["label"]


def test_tangents_and_adjoints_are_written_on_the_nodes(t):
    t.forward(wrt="x1")
    t.reverse()
    nodes, _ = parse_dot(t.to_dot())
    label = nodes["vm1"]["label"]
    assert '<font color="#c00000">v̄₋₁ = 5.5</font>' in label  # adjoints in red
    assert '<font color="#1f5fbf">v̇₋₁ = 1</font>' in label
    assert "v̄₀ = 1.716" in nodes["v0"]["label"]
    plain, _ = parse_dot(t.to_dot(forward=False, reverse=False))
    assert "font" not in plain["vm1"]["label"]


def test_arrays_constants_and_nondiff_nodes():
    x = np.arange(12.0).reshape(3, 4)
    tr = trace(lambda x: wnp.sum(wnp.where(x > 3.0, x, 0.0) * 2.0), x)
    nodes, edges = parse_dot(tr.to_dot())
    assert "f64[3,4]" in nodes["v0"]["label"] and "∈ [0, 11]" in _text(nodes["v0"]["label"])
    consts = [n for n in nodes if n.startswith("c")]
    assert len(consts) == 3 and all(nodes[c]["shape"] == "plaintext" for c in consts)
    assert "dashed" in nodes["v1"]["style"]  # the comparison
    assert ("v1", "v2") in edges


def _mlp_trace():
    def layer(W, b, x):
        return wnp.tanh(W @ x + b)

    def mlp(params, x):
        for W, b in params:
            x = layer(W, b, x)
        return wnp.sum(x ** 2)

    rng = np.random.default_rng(0)
    ps = [(rng.normal(size=(3, 3)), rng.normal(size=3)) for _ in range(4)]
    return trace(mlp, ps, np.ones(3))


def test_big_graphs_collapse_into_their_functions():
    tr = _mlp_trace()
    full, _ = parse_dot(tr.to_dot())
    assert len([n for n in full if n.startswith("v")]) == 9 + len(tr.eqns)
    nodes, edges = parse_dot(tr.to_dot(max_nodes=10))
    groups = sorted(n for n in nodes if n.startswith("g_"))
    assert len(groups) == 4 and all("layer" in g for g in groups)
    assert "3 operations" in nodes[groups[0]]["label"]
    assert (groups[0], groups[1]) in edges or any(
        s.startswith("g_") and d.startswith("g_") for s, d in edges)
    opened, _ = parse_dot(tr.to_dot(max_nodes=10, expand=["layer"]))
    assert not any(n.startswith("g_") for n in opened)


def test_dot_file_needs_no_graphviz(t, tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "dot_program", lambda: None)
    path = tmp_path / "g.dot"
    assert t.render(path) == str(path)
    assert path.read_text().startswith("digraph")
    with pytest.raises(graph.GraphvizNotFoundError, match="apt-get install graphviz"):
        t.render(tmp_path / "g.svg")
    assert t._repr_svg_() is None


@NEEDS_DOT
def test_render_svg_and_png(t, tmp_path):
    t.reverse()
    svg = tmp_path / "seed.svg"
    t.render(svg)
    text = svg.read_text()
    assert "<svg" in text and "v̄₋₁ = 5.5" in text and "#c00000" in text
    png = tmp_path / "seed.png"
    t.render(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in t._repr_svg_()
