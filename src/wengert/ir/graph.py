"""The computational graph of a trace, as Graphviz DOT text and pictures.

Each variable is a node showing the operation that made it and its primal
value (arrays: shape, dtype and a short summary).  After a forward or reverse
pass its tangent (blue) and adjoint (red, as in the lecture seed's figure) are
written underneath.  A graph with more than ``max_nodes`` operations collapses
the operations made inside a function or layer into one node for that call;
``expand=("name", …)`` keeps the named functions open.

DOT text needs nothing; drawing needs Graphviz's ``dot`` program.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .notation import BAR, DOT, Notation, NumberFormat, output_letter, primal_formula
from .passes import ForwardPass, ReversePass
from .trace import Eqn, Literal, Trace, Var

TANGENT_COLOR = "#1f5fbf"
ADJOINT_COLOR = "#c00000"
INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be drawn. Install "
    "Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: `brew install "
    "graphviz`; conda: `conda install graphviz`; Windows: `winget install graphviz`). "
    "Trace.to_dot() still gives the DOT text, and a path ending in .dot writes it."
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is missing."""


def to_dot(trace: Trace, *, forward: ForwardPass | bool | None = None,
           reverse: ReversePass | bool | None = None, max_nodes: int = 80,
           expand: Iterable[str] = (), collapse: bool | None = None,
           rankdir: str = "LR") -> str:
    """Graphviz DOT text for ``trace``.

    ``forward``/``reverse``: a pass whose tangents/adjoints to write on the
    nodes; by default the trace's latest ones (``False`` for none).
    ``collapse``: group operations by the function call that made them; by
    default only when there are more than ``max_nodes`` operations.
    """
    fp = trace.last_forward if forward is None or forward is True else forward or None
    rp = trace.last_reverse if reverse is None or reverse is True else reverse or None
    if collapse is None:
        collapse = len(trace.eqns) > max_nodes
    groups = _groups(trace.eqns, set(expand)) if collapse else {}
    g = _Builder(trace, fp, rp)
    for v in trace.inputs:
        g.var_node(v)
    for e in trace.eqns:
        key = groups.get(id(e))
        if key is None:
            for v in e.outputs:
                g.var_node(v)
        else:
            g.group_node(key, e)
    for e in trace.eqns:
        g.edges_of(e, groups)
    g.outputs(groups)
    return g.text(rankdir)


class _Builder:
    def __init__(self, trace: Trace, fp: ForwardPass | None, rp: ReversePass | None) -> None:
        self.trace, self.fp, self.rp = trace, fp, rp
        self.nt, self.fmt = Notation(True), NumberFormat(3)
        self.nodes: list[str | tuple] = []
        self.edges: dict[tuple[str, str], str] = {}
        self.group_info: dict[tuple, dict] = {}
        self.nconst = 0

    # -- nodes ---------------------------------------------------------------------------
    def var_node(self, v: Var) -> None:
        lines = [self._title(v), self._value(v.value)]
        if self.fp is not None:
            lines.append(_font(f"{self.nt.v(v.index, DOT)} = {self.fmt(self.fp.tangent(v))}",
                               TANGENT_COLOR))
        if self.rp is not None:
            lines.append(_font(f"{self.nt.v(v.index, BAR)} = {self.fmt(self.rp.adjoint(v))}",
                               ADJOINT_COLOR))
        shape = "ellipse" if v.is_input else "box"
        style = ', style="rounded"' if not v.is_input else ""
        if v.eqn is not None and v.eqn.nondiff:
            style = ', style="rounded,dashed"'
        self.nodes.append(f'  {_id(v)} [shape={shape}{style}, label=<{"<br/>".join(lines)}>];')

    def _title(self, v: Var) -> str:
        sym = f"<b>{_esc(self.nt.v(v.index))}</b>"
        if v.eqn is None:
            return f"{sym} = {_esc(self.nt.label(v.label))}"
        e = v.eqn
        ops = [_atom_f(self, a) for a in e.inputs]
        formula = primal_formula(e, ops).text(self.nt, False)
        if len(formula) > 40:
            formula = e.prim.name + "(…)"
        if len(e.outputs) > 1:
            formula += f"[{e.outputs.index(v)}]"
        return f"{sym} = {_esc(formula)}"

    def _value(self, x: Any) -> str:
        a = np.asarray(x)
        if a.ndim == 0:
            return _esc(self.fmt(a))
        from .trace import _short_dtype
        head = f"{_short_dtype(a.dtype)}[{','.join(map(str, a.shape))}]"
        if a.size <= 4:
            return _esc(head) + "<br/>" + _esc(self.fmt(a))
        if a.dtype.kind in "fiu":
            return _esc(f"{head}<br/>∈ [{self.fmt(a.min())}, {self.fmt(a.max())}]").replace(
                "&lt;br/&gt;", "<br/>")
        return _esc(head)

    def group_node(self, key: tuple, e: Eqn) -> None:
        info = self.group_info.get(key)
        if info is None:
            info = self.group_info[key] = {"n": 0, "last": None}
            self.nodes.append(key)  # a placeholder, written out in text()
        info["n"] += 1
        info["last"] = e.outputs[-1]

    # -- edges ---------------------------------------------------------------------------
    def edges_of(self, e: Eqn, groups: dict) -> None:
        dst_group = groups.get(id(e))
        for a in e.inputs:
            if isinstance(a, Literal):
                if dst_group is None:
                    self._const_edge(a, e)
                continue
            src = _gid(groups[id(a.eqn)]) if a.eqn is not None and id(a.eqn) in groups \
                else _id(a)
            for v in e.outputs if dst_group is None else ():
                self.edges[(src, _id(v))] = ""
            if dst_group is not None and src != _gid(dst_group):
                self.edges[(src, _gid(dst_group))] = ""

    def _const_edge(self, a: Literal, e: Eqn) -> None:
        self.nconst += 1
        cid = f"c{self.nconst}"
        self.nodes.append(f'  {cid} [shape=plaintext, fontcolor="gray40", '
                          f'label=<{self._value(a.value)}>];')
        for v in e.outputs:
            self.edges[(cid, _id(v))] = ' [color="gray60"]'

    def outputs(self, groups: dict) -> None:
        for k, o in enumerate(self.trace.outputs):
            oid = f"y{k}"
            name = self.nt.y(k, len(self.trace.outputs), base=output_letter(self.trace))
            self.nodes.append(f'  {oid} [shape=plaintext, label=<<b>{name}</b>>];')
            if isinstance(o, Var):
                src = _gid(groups[id(o.eqn)]) if o.eqn is not None and id(o.eqn) in groups \
                    else _id(o)
                self.edges[(src, oid)] = ""

    def text(self, rankdir: str) -> str:
        lines = [f"digraph {_quote(self.trace.name)} {{", f"  rankdir={rankdir};",
                 '  node [fontname="Helvetica", fontsize=11];',
                 '  edge [arrowsize=0.7];']
        for n in self.nodes:
            lines.append(self._group_text(n) if isinstance(n, tuple) else n)
        lines += [f"  {s} -> {d}{attr};" for (s, d), attr in self.edges.items()]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _group_text(self, key: tuple) -> str:
        info = self.group_info[key]
        name, serial = key
        last: Var = info["last"]
        label = (f"<b>{_esc(_short_name(name))}</b> #{serial}<br/>{info['n']} operations<br/>"
                 f"→ {self._value(last.value)}")
        return f'  {_gid(key)} [shape=box3d, style="filled", fillcolor="#eef3fb", label=<{label}>];'


def _groups(eqns: list[Eqn], expand: set[str]) -> dict[int, tuple]:
    """``id(eqn) -> (function, call number)`` for operations made inside a call."""
    out: dict[int, tuple] = {}
    for e in eqns:
        for name, serial in e.scope[1:]:
            if not {name, _short_name(name), name.rsplit(".", 1)[-1]} & expand:
                out[id(e)] = (name, serial)
                break
    return out


def _short_name(qualname: str) -> str:
    """``make.<locals>.layer`` → ``layer``; ``Linear.__call__`` stays."""
    return qualname.split("<locals>.")[-1]


def _atom_f(b: _Builder, a: Var | Literal) -> Any:
    from .notation import Num, Raw, Sym
    if isinstance(a, Var):
        return Sym(b.nt.v(a.index), "")
    if np.ndim(a.value) == 0:
        return Num(a.value, b.fmt)
    return Raw("c")


def _id(v: Var) -> str:
    return f"v{v.index}".replace("-", "m")


def _gid(key: tuple) -> str:
    name, serial = key
    safe = "".join(ch if ch.isalnum() else "_" for ch in _short_name(name))
    return f"g_{safe}_{serial}"


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _font(s: str, color: str) -> str:
    return f'<font color="{color}">{_esc(s)}</font>'


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- drawing -----------------------------------------------------------------------------
def dot_program() -> str | None:
    """The path of Graphviz's ``dot``, or None."""
    return shutil.which("dot")


def pipe(dot_text: str, fmt: str = "svg", timeout: float = 60.0) -> bytes:
    """Run ``dot -T<fmt>`` on the text and return its output."""
    exe = dot_program()
    if exe is None:
        raise GraphvizNotFoundError(INSTALL_HINT)
    proc = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"),
                          capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def render(trace: Trace, path: str | os.PathLike, format: str | None = None,
           **kw: Any) -> str:
    """Write the graph of ``trace`` to ``path`` (svg, png, pdf …, or .dot for the text).

    Keyword arguments go to :func:`to_dot`.  Returns the path written.
    """
    p = Path(path)
    fmt = (format or p.suffix.lstrip(".") or "svg").lower()
    text = to_dot(trace, **kw)
    if fmt in ("dot", "gv"):
        p.write_text(text, encoding="utf-8")
    else:
        p.write_bytes(pipe(text, fmt))
    return str(p)


def svg_or_none(trace: Trace) -> str | None:
    """SVG text for Jupyter, or None (so it falls back) when ``dot`` is missing."""
    if dot_program() is None:
        return None
    return pipe(to_dot(trace), "svg").decode("utf-8")
