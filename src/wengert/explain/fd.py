"""Why not finite differences: truncation error against round-off error.

:func:`fd_study` differentiates a function at a point by forward and central
differences for steps ``h`` from 1e-1 down to 1e-12, in float32 and float64,
and compares each estimate with the exact derivative from AD.  Large steps
show truncation error (∝ h for forward, ∝ h² for central differences); small
steps show round-off error (∝ ε/h), which grows as h shrinks — the blog
seed's second figure, for any function.  :meth:`FDStudy.plot` draws it on
log-log axes and :meth:`FDStudy.plot_secants` the first figure (the secant
lines of each method against the tangent), both with matplotlib (optional).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import numeric
from ..transforms import grad

DEFAULT_STEPS = tuple(10.0 ** -k for k in range(1, 13))
_LABEL = {"forward": "forward", "central": "central", "backward": "backward"}


@dataclass
class FDStudy:
    """Finite-difference estimates and their errors against the AD derivative."""

    name: str
    point: tuple
    wrt: int
    exact: float
    steps: np.ndarray
    estimates: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    fun: Callable[..., Any] | None = field(default=None, repr=False)

    @property
    def columns(self) -> list[tuple[str, str]]:
        return list(self.estimates)

    def errors(self, dtype: str, method: str) -> np.ndarray:
        """Absolute errors |estimate − exact| for one dtype and method."""
        return np.abs(self.estimates[(dtype, method)].astype(np.float64) - self.exact)

    def best(self, dtype: str, method: str) -> tuple[float, float]:
        """The step with the smallest error, and that error."""
        err = self.errors(dtype, method)
        k = int(np.argmin(err))
        return float(self.steps[k]), float(err[k])

    # -- tables --------------------------------------------------------------------------
    def rows(self) -> list[list[str]]:
        head = ["h"] + [f"{m} {d}" for d, m in self.columns]
        body = [[f"{h:.0e}"] + [f"{self.errors(d, m)[i]:.2e}" for d, m in self.columns]
                for i, h in enumerate(self.steps)]
        best = ["best h"] + [f"{self.best(d, m)[0]:.0e}" for d, m in self.columns]
        return [head] + body + [best]

    def caption(self) -> str:
        at = ", ".join(f"{_fmt(v)}" for v in self.point)
        return (f"Absolute error of finite differences of {self.name} at ({at}) against the "
                f"exact AD derivative {self.exact!r}")

    def to_text(self) -> str:
        rows = self.rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [self.caption(), ""]
        for k, r in enumerate(rows):
            if k in (1, len(rows) - 1):
                lines.append("  ".join("-" * w for w in widths))
            lines.append("  ".join(c.rjust(w) for c, w in zip(r, widths)))
        lines += ["", "Large h: truncation error (forward ∝ h, central ∝ h²). Small h: "
                  "round-off error ∝ ε/h, worse in float32 (ε ≈ 1.2e-7) than float64 "
                  "(ε ≈ 2.2e-16)."]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        rows = self.rows()
        out = [f"*{self.caption()}*", "", "| " + " | ".join(rows[0]) + " |",
               "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        rows = self.rows()
        return html_table(self.caption(), rows[0], rows[1:])

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()

    # -- figures -------------------------------------------------------------------------
    def plot(self, path: str | None = None) -> Any:
        """Log-log plot of error against h for every dtype and method (matplotlib)."""
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        for d, m in self.columns:
            err = np.maximum(self.errors(d, m), 1e-18)  # exact hits would vanish on a log axis
            ax.loglog(self.steps, err, marker="o", ms=3,
                      ls="-" if d == "float64" else "--", label=f"{m}, {d}")
        ax.set_xlabel("step h")
        ax.set_ylabel("|finite difference − AD derivative|")
        ax.set_title(f"Truncation vs round-off error: d/dx {self.name}")
        ax.invert_xaxis()
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig

    def plot_secants(self, path: str | None = None, h: float = 0.5,
                     dtype: str = "float32") -> Any:
        """The function with its tangent and the forward, backward and central secants."""
        if self.fun is None:
            raise ValueError("this study has no function to plot")
        plt = _pyplot()
        x0 = float(self.point[self.wrt])
        g = _partial_fun(self.fun, self.point, self.wrt, np.dtype(dtype))
        xs = np.linspace(x0 - 3 * h, x0 + 3 * h, 200)
        ys = np.array([float(g(np.dtype(dtype).type(x))) for x in xs])
        y0 = float(g(np.dtype(dtype).type(x0)))
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        ax.plot(xs, ys, color="black", label=self.name)
        lines = [("exact (AD)", self.exact)] + [
            (m, float(numeric.derivative(g, np.dtype(dtype).type(x0), m,
                                         h=np.dtype(dtype).type(h))))
            for m in ("forward", "backward", "central")]
        for label, slope in lines:
            ax.plot(xs, y0 + slope * (xs - x0), ls="-" if label.startswith("exact") else "--",
                    label=f"{label}: {slope:.4f}")
        ax.axvline(x0, color="gray", lw=0.5)
        ax.set_title(f"Derivative approximations at x = {_fmt(x0)}, h = {h} ({dtype})")
        ax.legend(fontsize=8)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def fd_study(f: Callable[..., Any], *args: float, wrt: int = 0,
             steps: Sequence[float] = DEFAULT_STEPS,
             dtypes: Sequence[str] = ("float32", "float64"),
             methods: Sequence[str] = ("forward", "central"), name: str | None = None) -> FDStudy:
    """Tabulate finite-difference errors of ∂f/∂args[wrt] over ``steps``.

    ``f`` is written with ``wengert.numpy`` so that the exact derivative comes
    from AD (in float64) and the differences can run in each dtype.
    """
    point = tuple(float(a) for a in args)
    exact = float(grad(f, argnums=wrt)(*point))
    study = FDStudy(str(name or getattr(f, "__name__", "f")), point, wrt, exact,
                    np.asarray(steps, dtype=np.float64), fun=f)
    for d in dtypes:
        dt = np.dtype(d)
        g = _partial_fun(f, point, wrt, dt)
        x = dt.type(point[wrt])
        for m in methods:
            with np.errstate(all="ignore"):
                est = [numeric.derivative(g, x, m, h=dt.type(h)) for h in steps]
            study.estimates[(dt.name, m)] = np.asarray(est, dtype=dt)
    return study


def _partial_fun(f: Callable[..., Any], point: tuple, wrt: int, dt: np.dtype
                 ) -> Callable[[Any], Any]:
    fixed = [dt.type(p) for p in point]

    def g(x: Any) -> Any:
        args = list(fixed)
        args[wrt] = x
        return f(*args)
    return g


def html_table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    """A captioned HTML table (for Jupyter's ``_repr_html_``)."""
    import html
    th = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                  for r in rows)
    return (f"<p><i>{html.escape(caption)}</i></p>"
            f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>")


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised only without matplotlib
        raise ImportError("plots need matplotlib: pip install matplotlib "
                          "(or wengert[plot])") from err
    return plt


def _fmt(x: float) -> str:
    return f"{x:g}"
