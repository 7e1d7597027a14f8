"""The seeds' evaluation-trace tables, for any recorded function.

* :func:`primal_table`: the forward primal trace (``vᵢ = φᵢ(…) = value``).
* :func:`forward_table`: primal and tangent traces side by side.
* :func:`reverse_table`: the primal trace beside the reverse adjoint trace.

Two house styles follow the two seeds.  ``style="slides"`` (Baydin et al., as
in the lecture slides) writes ``v̇₁ = v̇₋₁/v₋₁ = 0.5`` and lists the adjoint
sweep one contribution per line, ``v̄₋₁ = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁``, read upwards;
``style="blog"`` puts the numbers into each formula (``0 ⋅ -4 + 1 ⋅ 3 = 3``) and
gives each variable one adjoint row summing its contributions
(``v̄₋₁ = x̄₁ = v̄₂ ⋅ (1 / v₋₁) + v̄₁ ⋅ v₀``).  A :class:`Table` renders as text
(Unicode or ASCII), Markdown or HTML.
"""

from __future__ import annotations

import html
import itertools
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .notation import (
    BAR,
    DOT,
    Bin,
    F,
    Jux,
    Neg,
    Notation,
    Num,
    NumberFormat,
    Paren,
    Raw,
    Sum,
    Sym,
    output_letter,
    partial_formula,
    primal_formula,
)
from .passes import ForwardPass, ReversePass, Step, answer, operand_values
from .trace import Eqn, Literal, Trace, Var

STYLES = ("slides", "blog")


@dataclass
class Row:
    """One line: ``lhs = expr = value``; ``arith`` is ``expr`` with numbers put in."""

    lhs: str
    expr: str
    value: str
    arith: str = ""
    kind: str = ""

    def cells(self, style: str) -> list[str]:
        if style == "slides":
            return [self.lhs, f"= {self.expr}" if self.expr else "", f"= {self.value}"]
        left = f"{self.lhs} = {self.expr}" if self.expr else self.lhs
        return [left, f"{self.arith} = {self.value}" if self.arith else self.value]


@dataclass
class Block:
    """One trace (primal, tangent or adjoint): a title and sections of rows."""

    title: str
    sections: list[list[Row]]
    kind: str = "primal"          # "primal", "tangent" or "adjoint"

    @property
    def rows(self) -> list[Row]:
        return [r for s in self.sections for r in s]


@dataclass
class Table:
    """Blocks shown side by side, built for a notation (Unicode or ASCII)."""

    build: Callable[[Notation], list[Block]]
    style: str
    caption: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def blocks(self, unicode: bool = True) -> list[Block]:
        if unicode not in self._cache:
            self._cache[unicode] = self.build(Notation(unicode))
        return self._cache[unicode]

    @property
    def left(self) -> Block:
        return self.blocks()[0]

    @property
    def right(self) -> Block:
        return self.blocks()[-1]

    def to_text(self, unicode: bool | None = None) -> str:
        """Aligned plain text; Unicode if the terminal can show it (or as asked)."""
        uni = _terminal_unicode() if unicode is None else unicode
        columns = [_block_lines(b, self.style, uni) for b in self.blocks(uni)]
        widths = [max(_width(line) for line in col) for col in columns]
        lines = []
        for parts in itertools.zip_longest(*columns, fillvalue=""):
            lines.append("   ".join(_pad(p, w) for p, w in zip(parts, widths)).rstrip())
        head = [self.caption, ""] if self.caption else []
        return "\n".join(head + lines)

    def to_markdown(self) -> str:
        out = [f"*{self.caption}*", ""] if self.caption else []
        for b in self.blocks():
            out += [f"| {b.title} | {'Value' if self.style == 'slides' else 'Output'} |",
                    "|---|---|"]
            for r in b.rows:
                left, right = _two_cells(r, self.style)
                out.append(f"| {_md(left)} | {_md(right)} |")
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        parts = []
        for b in self.blocks():
            color = {"adjoint": "#c00000", "tangent": "#1f5fbf"}.get(b.kind, "inherit")
            body = []
            for k, sec in enumerate(b.sections):
                border = "" if k == 0 else " style='border-top:1px solid #888'"
                trs = "".join(
                    f"<tr><td style='text-align:left'>{html.escape(left)}</td>"
                    f"<td style='text-align:left;color:{color}'>{html.escape(right)}</td></tr>"
                    for left, right in (_two_cells(r, self.style) for r in sec))
                body.append(f"<tbody{border}>{trs}</tbody>")
            parts.append(f"<table><thead><tr><th colspan='2' style='text-align:left'>"
                         f"{html.escape(b.title)}</th></tr></thead>{''.join(body)}</table>")
        cap = f"<p><i>{html.escape(self.caption)}</i></p>" if self.caption else ""
        return f"<div>{cap}<div style='display:flex;gap:2em'>{''.join(parts)}</div></div>"

    def render(self, fmt: str = "text", unicode: bool | None = None) -> str:
        if fmt == "text":
            return self.to_text(unicode)
        if fmt == "markdown":
            return self.to_markdown()
        if fmt == "html":
            return self.to_html()
        raise ValueError(f"format must be 'text', 'markdown' or 'html', not {fmt!r}")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


# -- building rows -----------------------------------------------------------------------
class _Ctx:
    """What the row builders share: trace, notation, number format, passes."""

    def __init__(self, trace: Trace, nt: Notation, style: str,
                 fp: ForwardPass | None = None, rp: ReversePass | None = None) -> None:
        self.trace, self.nt, self.style, self.fp, self.rp = trace, nt, style, fp, rp
        self.fmt = NumberFormat(2, fixed=True) if style == "blog" else NumberFormat(3)
        self.active = trace.active()
        self.letter = output_letter(trace)

    def atom(self, a: Var | Literal, accent: str = "") -> F:
        if isinstance(a, Literal):
            return Num(a.value, self.fmt) if np.ndim(a.value) == 0 else Raw(
                self.fmt(np.asarray(a.value)))
        return Sym(self.nt.v(a.index, accent), self.fmt(self.value(a, accent)))

    def value(self, v: Var, accent: str = "") -> Any:
        if accent == DOT and self.fp is not None:
            return self.fp.tangent(v)
        if accent == BAR and self.rp is not None:
            return self.rp.adjoint(v)
        return v.value

    def input_sym(self, v: Var, accent: str = "") -> str:
        return self.nt.label(v.label, accent)

    def output_sym(self, k: int, accent: str = "") -> str:
        return self.nt.y(k, len(self.trace.outputs), accent, self.letter)


def _primal_sections(c: _Ctx) -> list[list[Row]]:
    inputs = [Row(c.nt.v(v.index), c.input_sym(v), c.fmt(v.value), kind="input")
              for v in c.trace.inputs]
    body = []
    for e in c.trace.eqns:
        f = primal_formula(e, [c.atom(a) for a in e.inputs])
        for k, v in enumerate(e.outputs):
            expr = f.text(c.nt, False) + (f"[{k}]" if len(e.outputs) > 1 else "")
            arith = f.text(c.nt, True) if c.style == "blog" else ""
            body.append(Row(c.nt.v(v.index), expr, c.fmt(v.value), arith, "body"))
    outputs = [Row(c.output_sym(k), c.atom(o).text(c.nt, False), c.fmt(o.value), kind="output")
               for k, o in enumerate(c.trace.outputs)]
    return [s for s in (inputs, body, outputs) if s]


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")


def primal_table(trace: Trace, style: str = "slides") -> Table:
    """The forward primal trace of ``trace``."""
    _check_style(style)
    def build(nt: Notation) -> list[Block]:
        return [Block("Forward primal trace", _primal_sections(_Ctx(trace, nt, style)))]
    return Table(build, style, caption=_caption(trace))


# -- forward mode ------------------------------------------------------------------------
def _tangent_term(t: F, p: F, style: str) -> tuple[int, F]:
    """``t ⋅ p`` as the seeds write it, with its sign pulled out."""
    if isinstance(p, Num) and (p.is_(1) or p.is_(-1)):
        return (1 if p.is_(1) else -1), t
    if isinstance(p, Neg):
        sign, f = _tangent_term(t, p.a, style)
        return -sign, f
    if isinstance(p, Sym):
        return 1, Jux(t, p)
    if isinstance(p, Num):
        return 1, Jux(p, t)
    if style == "slides":
        if isinstance(p, Bin) and p.op == "/" and isinstance(p.a, Num) and p.a.is_(1):
            return 1, Bin("/", t, p.b, tight=True)
        return 1, Jux(t, p)
    return 1, Bin("⋅", t, Paren(p) if isinstance(p, (Bin, Jux, Neg)) else p)


def _tangent_formula(c: _Ctx, e: Eqn) -> F:
    if e.nondiff:
        return Num(0, c.fmt)
    ops = [c.atom(a) for a in e.inputs]
    out = c.atom(e.out)
    terms = []
    for j, a in enumerate(e.inputs):
        if isinstance(a, Var) and id(a) in c.active:
            p = _numeric_partial(c, e, j, partial_formula(e, j, ops, out, c.nt, c.fmt))
            terms.append(_tangent_term(c.atom(a, DOT), p, c.style))
    return Sum(terms)


def _numeric_partial(c: _Ctx, e: Eqn, j: int, p: F) -> F:
    """Give a generic ``∂vᵢ/∂vⱼ`` its number (scalar equations only)."""
    if not isinstance(p, Raw) or e.prim.multiple_results or np.ndim(e.out.value) != 0:
        return p
    if any(np.ndim(a.value) != 0 for a in e.inputs):
        return p
    try:
        d = e.prim.jvp_rule(j)(np.ones_like(e.inputs[j].value), answer(e), *operand_values(e),
                               **e.params)
    except Exception:  # noqa: BLE001 - a missing rule just leaves the symbol
        return p
    return p if d is None else Raw(p.s, c.fmt(d))


def _tangent_sections(c: _Ctx) -> list[list[Row]]:
    fp = c.fp
    assert fp is not None
    inputs = [Row(c.nt.v(v.index, DOT), c.input_sym(v, DOT), c.fmt(fp.tangent(v)), kind="input")
              for v in c.trace.inputs]
    body = []
    for e in c.trace.eqns:
        f = _tangent_formula(c, e)
        for k, v in enumerate(e.outputs):
            expr = f.text(c.nt, False) + (f"[{k}]" if len(e.outputs) > 1 else "")
            arith = f.text(c.nt, True) if c.style == "blog" else ""
            body.append(Row(c.nt.v(v.index, DOT), expr, c.fmt(fp.tangent(v)), arith, "body"))
    outputs = []
    for k, o in enumerate(c.trace.outputs):
        t = fp.tangent(o) if isinstance(o, Var) else np.zeros(np.shape(o.value))
        expr = c.atom(o, DOT).text(c.nt, False) if isinstance(o, Var) else "0"
        outputs.append(Row(c.output_sym(k, DOT), expr, c.fmt(t), kind="output"))
    return [s for s in (inputs, body, outputs) if s]


def forward_table(fp: ForwardPass, style: str = "slides") -> Table:
    """The primal trace beside the forward tangent trace of ``fp``."""
    _check_style(style)
    trace = fp.trace

    def build(nt: Notation) -> list[Block]:
        c = _Ctx(trace, nt, style, fp=fp)
        return [Block("Forward primal trace", _primal_sections(c)),
                Block("Forward tangent trace", _tangent_sections(c), "tangent")]

    return Table(build, style, caption=_caption(trace, fp))


# -- reverse mode ------------------------------------------------------------------------
def _step_row(c: _Ctx, s: Step, explicit: bool) -> Row:
    nt = c.nt
    if s.kind == "seed":
        k = next(i for i, o in enumerate(c.trace.outputs) if o is s.var)
        return Row(nt.v(s.var.index, BAR), c.output_sym(k, BAR), c.fmt(s.total), kind="seed")
    if s.kind == "result":
        return Row(c.input_sym(s.var, BAR), nt.v(s.var.index, BAR), c.fmt(s.total),
                   kind="result")
    assert s.eqn is not None
    e, me = s.eqn, nt.v(s.var.index, BAR)
    src = Sym(nt.v(e.out.index, BAR), "")
    p = partial_formula(e, s.argnum, [c.atom(a) for a in e.inputs], c.atom(e.out), nt, c.fmt,
                        explicit=explicit)
    term = Jux(src, p) if isinstance(p, Raw) else _tangent_term(src, p, c.style)[1]
    sign = 1 if isinstance(p, Raw) else _tangent_term(src, p, c.style)[0]
    body = Sum([(sign, term)]).text(nt, False)
    if not s.first:
        body = f"{me} + {body}" if sign > 0 else f"{me} {nt.minus} {term.text(nt, False)}"
    return Row(me, body, c.fmt(s.total), kind="contrib")


def _accumulate_sections(c: _Ctx, upward: bool, explicit: bool) -> list[list[Row]]:
    rp = c.rp
    assert rp is not None
    seeds = [_step_row(c, s, explicit) for s in rp.steps if s.kind == "seed"]
    contribs = [_step_row(c, s, explicit) for s in rp.steps if s.kind == "contrib"]
    results = [_step_row(c, s, explicit) for s in rp.steps if s.kind == "result"]
    if upward:  # the sweep runs bottom to top, beside the primal trace (as in the slides)
        return [s for s in (results, contribs[::-1], seeds[::-1]) if s]
    return [s for s in (seeds, contribs, results) if s]


def _sum_formula(c: _Ctx, v: Var) -> tuple[F, str]:
    """``v̄ⱼ`` as one sum over its contributions (the blog's reverse table)."""
    rp = c.rp
    assert rp is not None
    terms: list[tuple[int, F]] = []
    prefix = ""
    for s in rp.steps:
        if s.var is not v:
            continue
        if s.kind == "seed":
            k = next(i for i, o in enumerate(c.trace.outputs) if o is v)
            terms.append((1, Raw(c.output_sym(k, BAR), c.fmt(s.value))))
            prefix = "seed"
        elif s.kind == "contrib":
            assert s.eqn is not None
            e = s.eqn
            p = partial_formula(e, s.argnum, [c.atom(a) for a in e.inputs], c.atom(e.out),
                                c.nt, c.fmt)
            p = _numeric_partial(c, e, s.argnum, p)
            p = Paren(p) if isinstance(p, (Bin, Jux, Neg)) else p
            terms.append((1, Bin("⋅", c.atom(e.out, BAR), p)))
    return Sum(terms), prefix


def _sum_sections(c: _Ctx) -> list[list[Row]]:
    rp = c.rp
    assert rp is not None
    nt = c.nt

    def row(v: Var, alias: str, kind: str) -> Row:
        f, how = _sum_formula(c, v)
        expr = f.text(nt, False)
        only_seed = how == "seed" and len(f.terms) == 1  # type: ignore[attr-defined]
        arith = "" if only_seed or not f.terms else f.text(nt, True)  # type: ignore[attr-defined]
        expr = f"{alias} = {expr}" if alias else expr
        return Row(nt.v(v.index, BAR), expr, c.fmt(rp.adjoint(v)), arith, kind)

    inputs = [row(v, c.input_sym(v, BAR), "input") for v in c.trace.inputs]
    body = [row(v, "", "body") for e in c.trace.eqns for v in e.outputs]
    outputs = [Row(c.output_sym(k, BAR), "", c.fmt(rp.adjoint(o)) if isinstance(o, Var)
                   else "0", kind="output") for k, o in enumerate(c.trace.outputs)]
    return [s for s in (inputs, body, outputs) if s]


def reverse_table(rp: ReversePass, style: str = "slides", layout: str | None = None,
                  order: str = "upward", partials: str | None = None) -> Table:
    """The primal trace beside the adjoint trace of ``rp``.

    ``layout="accumulate"`` (the slides' default) has one line per contribution,
    showing each ``v̄ += …``; ``layout="sum"`` (the blog's) one row per variable.
    ``order="upward"`` lists the sweep bottom to top beside the primal trace, as
    the slides do; ``order="sweep"`` top to bottom in the order it ran.
    ``partials="symbolic"`` writes ``∂v₂/∂v₋₁``, ``"explicit"`` the derivative itself.
    """
    _check_style(style)
    layout = layout or ("accumulate" if style == "slides" else "sum")
    if layout not in ("accumulate", "sum") or order not in ("upward", "sweep"):
        raise ValueError("layout must be 'accumulate' or 'sum', order 'upward' or 'sweep'")
    explicit = (partials or ("symbolic" if style == "slides" else "explicit")) == "explicit"
    trace = rp.trace

    def build(nt: Notation) -> list[Block]:
        c = _Ctx(trace, nt, style, rp=rp)
        if layout == "sum":
            right = _sum_sections(c)
        else:
            right = _accumulate_sections(c, order == "upward", explicit)
        title = "Reverse adjoint trace" + (" (read upwards)" if layout == "accumulate"
                                           and order == "upward" else "")
        return [Block("Forward primal trace", _primal_sections(c)),
                Block(title, right, "adjoint")]

    return Table(build, style, caption=_caption(trace, rp=rp))


# -- text layout -------------------------------------------------------------------------
def _caption(trace: Trace, fp: ForwardPass | None = None, rp: ReversePass | None = None) -> str:
    fmt = NumberFormat(3)
    args = ", ".join(f"{v.label} = {fmt(v.value)}" for v in trace.inputs)
    text = f"{trace.name} at {args}" if args else trace.name
    if fp is not None:
        if fp.wrt is not None:
            text += f"; forward mode, tangent 1 for {fp.wrt.label} (0 for the others)"
        else:
            text += "; forward mode with the given tangent"
    if rp is not None:
        text += "; reverse mode, output adjoint " + ", ".join(
            fmt(s.value) for s in rp.steps if s.kind == "seed")
    return text


def _two_cells(r: Row, style: str) -> tuple[str, str]:
    left = f"{r.lhs} = {r.expr}" if r.expr else r.lhs
    right = f"{r.arith} = {r.value}" if r.arith else r.value
    return left, right


def _block_lines(b: Block, style: str, uni: bool) -> list[str]:
    rows = [[r.cells(style) for r in sec] for sec in b.sections]
    ncol = len(rows[0][0]) if rows and rows[0] else 1
    widths = [max((_width(cells[i]) for sec in rows for cells in sec), default=0)
              for i in range(ncol)]
    total = sum(widths) + 2 * (ncol - 1)
    rule = ("─" if uni else "-") * max(total, _width(b.title))
    lines = [b.title]
    for k, sec in enumerate(rows):
        lines.append(rule if k else rule.replace("─", "━") if uni else "=" * len(rule))
        for cells in sec:
            lines.append("  ".join(_pad(cell, w) for cell, w in zip(cells, widths)).rstrip())
    return lines


def _width(s: str) -> int:
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _md(s: str) -> str:
    return s.replace("|", "\\|")


def _terminal_unicode() -> bool:
    enc = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "v̄₋₁ v̇₀ ∂ − ⋅ ─━".encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
