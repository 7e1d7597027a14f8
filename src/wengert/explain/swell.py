"""Expression swell: symbolic derivatives grow, AD traces do not.

For ``n`` nested layers ``x ↦ tanh(wₖ·x + bₖ)`` (or tanh written with
exponentials, as in the blog seed), :func:`swell_study` compares

* the size of the function as a SymPy expression (read off wengert's trace),
* the total size of SymPy's unsimplified partial derivatives in every ``wₖ``, ``bₖ``,
* the number of operations in the AD trace of the function, and
* the number of operations AD records to get all those partials at once
  (the trace of ``grad``: its forward and reverse sweeps).

Sizes are tree sizes (nodes of the expression, shared parts counted again,
as a printed formula would show them).  SymPy is optional.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numpy as wnp
from ..ir.symbolic import require_sympy, tree_size
from ..ir.trace import trace
from ..transforms import grad

ACTIVATIONS = ("tanh", "exp")


def _tanh_exp(z: Any) -> Any:
    """tanh written out as the blog does: (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ)."""
    return (wnp.exp(z) - wnp.exp(-z)) / (wnp.exp(z) + wnp.exp(-z))


def layered(n: int, activation: str = "tanh") -> Callable[..., Any]:
    """``f(x, w1, b1, …, wn, bn)``: ``n`` layers ``x ↦ act(wₖ·x + bₖ)``."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, not {activation!r}")
    act = wnp.tanh if activation == "tanh" else _tanh_exp

    def f(x: Any, *params: Any) -> Any:
        for k in range(n):
            x = act(params[2 * k] * x + params[2 * k + 1])
        return x

    f.__name__ = f"layers{n}"
    return f


@dataclass
class SwellRow:
    layers: int
    f_nodes: int          # SymPy tree size of f
    df_nodes: int         # total SymPy tree size of all unsimplified partials
    ad_ops: int           # equations in the trace of f
    grad_ops: int         # equations in the trace of grad(f): forward + reverse sweeps
    sympy_seconds: float


@dataclass
class SwellStudy:
    activation: str
    rows: list[SwellRow] = field(default_factory=list)

    HEAD = ["layers", "SymPy f (nodes)", "SymPy ∂f (nodes)", "AD trace of f (ops)",
            "AD gradient (ops)"]

    def table_rows(self) -> list[list[str]]:
        return [[str(r.layers), str(r.f_nodes), str(r.df_nodes), str(r.ad_ops),
                 str(r.grad_ops)] for r in self.rows]

    def caption(self) -> str:
        act = "tanh(z)" if self.activation == "tanh" else "(eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ)"
        return (f"Expression swell for nested layers x ↦ {act}, z = w·x + b: all partial "
                f"derivatives in w and b, unsimplified SymPy vs. AD")

    def to_text(self) -> str:
        rows = [self.HEAD] + self.table_rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.HEAD))]
        lines = [self.caption(), ""]
        for k, r in enumerate(rows):
            lines.append("  ".join(c.rjust(w) for c, w in zip(r, widths)))
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines += ["", "SymPy's derivative repeats the inner layers in every factor of the "
                  "chain rule; AD keeps each intermediate once and grows linearly."]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        out = [f"*{self.caption()}*", "", "| " + " | ".join(self.HEAD) + " |",
               "|" + "---|" * len(self.HEAD)]
        out += ["| " + " | ".join(r) + " |" for r in self.table_rows()]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        from .fd import html_table
        return html_table(self.caption(), list(self.HEAD), [list(r) for r in self.table_rows()])

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()

    def plot(self, path: str | None = None) -> Any:
        from .fd import _pyplot
        plt = _pyplot()
        n = [r.layers for r in self.rows]
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        ax.semilogy(n, [r.df_nodes for r in self.rows], "o-", label="SymPy ∂f, unsimplified")
        ax.semilogy(n, [r.f_nodes for r in self.rows], "o--", label="SymPy f")
        ax.semilogy(n, [r.grad_ops for r in self.rows], "s-", label="AD gradient (ops)")
        ax.semilogy(n, [r.ad_ops for r in self.rows], "s--", label="AD trace of f (ops)")
        ax.set_xlabel("layers")
        ax.set_ylabel("size")
        ax.set_title("Expression swell")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def swell_study(max_layers: int = 5, activation: str = "tanh") -> SwellStudy:
    """Sizes of symbolic and AD derivatives for 1 … ``max_layers`` layers."""
    sp = require_sympy()
    study = SwellStudy(activation)
    rng = np.random.default_rng(0)
    for n in range(1, max_layers + 1):
        f = layered(n, activation)
        args = (0.5,) + tuple(float(v) for v in rng.uniform(-1, 1, 2 * n))
        t = trace(f, *args)
        names = ["x"] + [f"{p}{k + 1}" for k in range(n) for p in ("w", "b")]
        symbols = {lab: sp.Symbol(nm) for lab, nm in zip([str(v.label) for v in t.inputs],
                                                         names)}
        start = time.perf_counter()
        expr = t.to_sympy(symbols)
        df = [sp.diff(expr, symbols[lab]) for lab in list(symbols)[1:]]
        df_nodes = sum(tree_size(d) for d in df)
        seconds = time.perf_counter() - start
        g = trace(grad(f, argnums=tuple(range(1, 2 * n + 1))), *args)
        study.rows.append(SwellRow(n, tree_size(expr), df_nodes, len(t), len(g), seconds))
    return study
