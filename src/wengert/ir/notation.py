"""How the literature writes a trace: vᵢ, v̇ᵢ, v̄ᵢ, ∂vᵢ/∂vⱼ, and the formulas of rows.

A formula is a small tree of :class:`F` nodes built from the operands of one
equation.  The same tree renders two ways: with names (``v̇₋₁v₀ + v̇₀v₋₁``) and
with the numbers put in (``0 ⋅ -4 + 1 ⋅ 3``, as in the blog seed's tables).
:data:`PRIMAL` says how each primitive is written, :data:`PARTIAL` gives its
local partial derivatives ∂vᵢ/∂vⱼ where there is a textbook form; any other
primitive is written ``name(…)`` and ``∂vᵢ/∂vⱼ``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np

from .trace import Eqn, Literal, Var

_SUB = str.maketrans("0123456789-+", "₀₁₂₃₄₅₆₇₈₉₋₊")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
BAR, DOT = "\u0304", "\u0307"   # combining macron (v̄) and dot above (v̇)


class Notation:
    """Symbols in Unicode (``v̄₋₁``) or plain ASCII (``vbar[-1]``)."""

    def __init__(self, unicode: bool = True) -> None:
        self.unicode = unicode
        self.minus = "−" if unicode else "-"
        self.times = "⋅" if unicode else "*"

    def v(self, index: int | None, accent: str = "") -> str:
        if not self.unicode:
            return f"{'v' + {'': '', BAR: 'bar', DOT: 'dot'}[accent]}[{index}]"
        return f"v{accent}{str(index).translate(_SUB)}"

    def label(self, label: str | None, accent: str = "") -> str:
        """An argument name: ``x1`` → ``x₁`` (``ẋ₁``, ``x̄₁``)."""
        label = label or "x"
        m = re.fullmatch(r"([A-Za-z])_?(\d*)", label)
        if not self.unicode:
            suffix = {"": "", BAR: "_bar", DOT: "_dot"}[accent]
            return f"{label}{suffix}"
        if m:
            return _nfc(f"{m.group(1)}{accent}{m.group(2).translate(_SUB)}")
        return f"{label}{'_bar' if accent == BAR else '_dot' if accent == DOT else ''}"

    def y(self, k: int, m: int, accent: str = "", base: str = "y") -> str:
        """Output ``k`` of ``m``: ``y`` alone, else ``y₁ … yₘ`` (``f`` if an input is a y)."""
        base += accent if self.unicode else {"": "", BAR: "_bar", DOT: "_dot"}[accent]
        base = _nfc(base)
        if m == 1:
            return base
        return base + (str(k + 1).translate(_SUB) if self.unicode else str(k + 1))

    def partial(self, out: Var, arg: Var) -> str:
        if self.unicode:
            return f"∂{self.v(out.index)}/∂{self.v(arg.index)}"
        return f"d{self.v(out.index)}/d{self.v(arg.index)}"

    def power(self, k: int) -> str:
        return str(k).translate(_SUP) if self.unicode else f"^{k}"


def output_letter(trace: Any) -> str:
    """``y`` for outputs, as the seeds write them, unless an input is already called y."""
    taken = any(re.fullmatch(r"y_?\d*", str(v.label)) for v in trace.inputs)
    return "f" if taken else "y"


def _nfc(s: str) -> str:
    """Composed characters where Unicode has them (ẋ, ȳ): what people type."""
    return unicodedata.normalize("NFC", s)


# -- numbers and arrays ------------------------------------------------------------------
class NumberFormat:
    """``digits`` decimals; ``fixed`` keeps trailing zeros (blog: 1.10), else strips (slides)."""

    def __init__(self, digits: int = 3, fixed: bool = False) -> None:
        self.digits = digits
        self.fixed = fixed

    def __call__(self, x: Any) -> str:
        a = np.asarray(x)
        if a.ndim > 0:
            return summarize(a, self)
        return self.scalar(a.item())

    def scalar(self, x: Any) -> str:
        if isinstance(x, bool) or isinstance(x, np.bool_):
            return str(bool(x))
        if isinstance(x, complex):
            return f"{self.scalar(x.real)}{'+' if x.imag >= 0 else '-'}{self.scalar(abs(x.imag))}j"
        if isinstance(x, (int, np.integer)):
            return str(int(x))
        x = float(x)
        if not np.isfinite(x):
            return str(x)
        if x == round(x) and abs(x) < 1e15:
            return str(int(round(x)))
        if x != 0 and (abs(x) < 10.0 ** -self.digits or abs(x) >= 1e7):
            return f"{x:.{max(self.digits - 1, 1)}e}"
        s = f"{x:.{self.digits}f}"
        if not self.fixed:
            s = s.rstrip("0").rstrip(".")
        return "0" if s in ("-0", "") else s


def summarize(a: np.ndarray, fmt: NumberFormat | None = None, limit: int = 4) -> str:
    """A short summary of an array: its few values, or shape, dtype and range."""
    fmt = fmt or NumberFormat()
    if a.size <= limit:
        inner = ", ".join(fmt.scalar(x) for x in a.ravel().tolist())
        return f"[{inner}]" if a.ndim == 1 else f"{a.shape} [{inner}]"
    from .trace import _short_dtype
    head = f"{_short_dtype(a.dtype)}{list(a.shape)}"
    if a.dtype.kind in "fiu":
        return f"{head} ∈ [{fmt.scalar(a.min())}, {fmt.scalar(a.max())}]"
    return head


# -- formula trees -----------------------------------------------------------------------
class F:
    """A node of a row's formula; ``text(numeric)`` renders it."""

    def text(self, nt: Notation, numeric: bool) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def atomic(self) -> bool:
        return False


class Sym(F):
    """A named quantity with a value: ``v₀`` / ``-4``."""

    def __init__(self, sym: str, value: str) -> None:
        self.sym, self.value = sym, value

    def text(self, nt: Notation, numeric: bool) -> str:
        return self.value if numeric else self.sym

    @property
    def atomic(self) -> bool:
        return True


class Num(F):
    def __init__(self, x: Any, fmt: NumberFormat) -> None:
        self.x, self.s = x, fmt(x)

    def text(self, nt: Notation, numeric: bool) -> str:
        return self.s.replace("-", nt.minus, 1) if not numeric and self.s.startswith("-") \
            else self.s

    @property
    def atomic(self) -> bool:
        return True

    def is_(self, c: float) -> bool:
        return np.ndim(self.x) == 0 and np.isreal(self.x) and float(np.real(self.x)) == c


class Call(F):
    def __init__(self, fn: str, *args: F, **params: Any) -> None:
        self.fn, self.args, self.params = fn, args, params

    def text(self, nt: Notation, numeric: bool) -> str:
        inner = [a.text(nt, numeric) for a in self.args]
        inner += [f"{k}={_param_text(v)}" for k, v in self.params.items()]
        return f"{self.fn}({', '.join(inner)})"

    @property
    def atomic(self) -> bool:
        return True


class Bin(F):
    """``a op b`` with op in + − ⋅ / @ and ``^`` (power)."""

    def __init__(self, op: str, a: F, b: F, tight: bool = False) -> None:
        self.op, self.a, self.b, self.tight = op, a, b, tight

    def text(self, nt: Notation, numeric: bool) -> str:
        a, b = self.a.text(nt, numeric), self.b.text(nt, numeric)
        if self.tight and not numeric:
            return f"{a}{self.op}{b}"
        if self.op == "^":
            if not numeric and isinstance(self.b, Num) and _small_int(self.b.x):
                return f"{a}{nt.power(int(self.b.x))}"
            return f"{a}^{b}" if self.b.atomic else f"{a}^({b})"
        op = {"−": nt.minus if not numeric else "-", "⋅": nt.times}.get(self.op, self.op)
        return f"{a} {op} {b}"


class Jux(F):
    """A product written by juxtaposition: ``v̇₋₁v₀``, ``v̇₀ cos(v₀)``; ``⋅`` with numbers."""

    def __init__(self, a: F, b: F) -> None:
        self.a, self.b = a, b

    def text(self, nt: Notation, numeric: bool) -> str:
        a, b = self.a.text(nt, numeric), self.b.text(nt, numeric)
        if numeric:
            return f"{a} ⋅ {b}" if nt.unicode else f"{a} * {b}"
        if not nt.unicode:
            return f"{a}*{b}"
        return f"{a}{b}" if isinstance(self.b, Sym) else f"{a} {b}"

    @property
    def atomic(self) -> bool:
        return True


class Neg(F):
    def __init__(self, a: F) -> None:
        self.a = a

    def text(self, nt: Notation, numeric: bool) -> str:
        inner = self.a.text(nt, numeric)
        return f"{'-' if numeric else nt.minus}{inner if self.a.atomic else f'({inner})'}"


class Paren(F):
    def __init__(self, a: F) -> None:
        self.a = a

    def text(self, nt: Notation, numeric: bool) -> str:
        return f"({self.a.text(nt, numeric)})"

    @property
    def atomic(self) -> bool:
        return True


class Raw(F):
    """Text that is the same with names and numbers (``∂v₂/∂v₋₁``)."""

    def __init__(self, s: str, numeric: str | None = None) -> None:
        self.s, self.n = s, numeric

    def text(self, nt: Notation, numeric: bool) -> str:
        return self.n if numeric and self.n is not None else self.s

    @property
    def atomic(self) -> bool:
        return True


class Sum(F):
    """Signed terms ``t₁ + t₂ − t₃``."""

    def __init__(self, terms: list[tuple[int, F]]) -> None:
        self.terms = terms

    def text(self, nt: Notation, numeric: bool) -> str:
        minus = "-" if numeric else nt.minus
        out = ""
        for k, (sign, t) in enumerate(self.terms):
            s = t.text(nt, numeric)
            if k == 0:
                out = s if sign > 0 else f"{minus}{s}"
            else:
                out += f" + {s}" if sign > 0 else f" {minus} {s}"
        return out or "0"


def _small_int(x: Any) -> bool:
    return np.ndim(x) == 0 and np.isreal(x) and float(np.real(x)).is_integer() and \
        0 <= float(np.real(x)) < 10


def _param_text(v: Any) -> str:
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, tuple) and any(isinstance(i, slice) for i in v):
        return index_text(v)
    return repr(v)


def index_text(idx: Any) -> str:
    """``(slice(None), 0)`` → ``:, 0``."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for p in parts:
        if isinstance(p, slice):
            s = "" if p.start is None else str(p.start)
            s += ":" + ("" if p.stop is None else str(p.stop))
            s += "" if p.step is None else f":{p.step}"
            out.append(s)
        elif p is Ellipsis:
            out.append("...")
        elif p is None:
            out.append("None")
        elif isinstance(p, np.ndarray):
            out.append(np.array2string(p, separator=",", threshold=6))
        else:
            out.append(repr(p))
    return ", ".join(out)


# -- what each primitive looks like ------------------------------------------------------
Atoms = list[F]
_FUNCS = {"log": "ln", "absolute": "abs", "arcsin": "asin", "arccos": "acos",
          "arctan": "atan", "conjugate": "conj"}


def primal_formula(e: Eqn, ops: Atoms) -> F:
    """How the textbook writes ``e``'s right-hand side."""
    rule = PRIMAL.get(e.prim.name)
    if rule is not None and len(ops) == rule[0]:
        return rule[1](ops, e.params)
    if e.prim.name == "getitem":
        return Raw(f"{_atom(ops[0])}[{index_text(e.params.get('idx'))}]",
                   f"{_atom(ops[0], True)}[{index_text(e.params.get('idx'))}]")
    name = _FUNCS.get(e.prim.name, e.prim.name)
    return Call(name, *ops, **_shown_params(e))


def _atom(f: F, numeric: bool = False) -> str:
    return f.text(Notation(True), numeric)


def _shown_params(e: Eqn) -> dict:
    return {k: v for k, v in e.params.items() if not (k == "keepdims" and v is False)
            and not (k == "axis" and v is None)}


def _mul(ops: Atoms, _: dict) -> F:
    a, b = ops
    if isinstance(a, Num) or (isinstance(a, Sym) and isinstance(b, Sym)):
        return Jux(a, b)
    return Bin("⋅", a, b)


PRIMAL: dict[str, tuple[int, Callable[[Atoms, dict], F]]] = {
    "add": (2, lambda o, p: Bin("+", o[0], o[1])),
    "subtract": (2, lambda o, p: Bin("−", o[0], o[1])),
    "multiply": (2, _mul),
    "divide": (2, lambda o, p: Bin("/", o[0], o[1])),
    "power": (2, lambda o, p: Bin("^", o[0], o[1])),
    "matmul": (2, lambda o, p: Bin("@", o[0], o[1])),
    "negative": (1, lambda o, p: Neg(o[0])),
    "positive": (1, lambda o, p: o[0]),
    "stop_gradient": (1, lambda o, p: Call("stop_gradient", o[0])),
}


def _recip(x: F, fmt: NumberFormat) -> F:
    return Bin("/", Num(1, fmt), x)


def _partials(fmt: NumberFormat) -> dict[str, Callable[[int, Atoms, F], F | None]]:
    one, neg1 = Num(1, fmt), Num(-1, fmt)

    def sq(x: F) -> F:
        return Bin("^", x, Num(2, fmt))

    return {
        "add": lambda j, a, o: one,
        "subtract": lambda j, a, o: one if j == 0 else neg1,
        "negative": lambda j, a, o: neg1,
        "positive": lambda j, a, o: one,
        "multiply": lambda j, a, o: a[1 - j],
        "divide": lambda j, a, o: _recip(a[1], fmt) if j == 0 else
        Neg(Bin("/", a[0], sq(a[1]))),
        "log": lambda j, a, o: _recip(a[0], fmt),
        "exp": lambda j, a, o: Call("exp", a[0]),
        "sin": lambda j, a, o: Call("cos", a[0]),
        "cos": lambda j, a, o: Neg(Call("sin", a[0])),
        "tan": lambda j, a, o: Bin("+", one, sq(o)),
        "tanh": lambda j, a, o: Bin("−", one, sq(o)),
        "sinh": lambda j, a, o: Call("cosh", a[0]),
        "cosh": lambda j, a, o: Call("sinh", a[0]),
        "sqrt": lambda j, a, o: _recip(Paren(Jux(Num(2, fmt), o)), fmt),
        "square": lambda j, a, o: Jux(Num(2, fmt), a[0]),
        "arctan": lambda j, a, o: _recip(Paren(Bin("+", one, sq(a[0]))), fmt),
        "power": _power_partial(fmt),
    }


def _power_partial(fmt: NumberFormat) -> Callable[[int, Atoms, F], F | None]:
    def rule(j: int, a: Atoms, o: F) -> F | None:
        if j == 1:
            return Jux(Call("ln", a[0]), o)
        if isinstance(a[1], Num) and np.ndim(a[1].x) == 0 and np.isreal(a[1].x):
            k = float(np.real(a[1].x))
            return Jux(a[1], Bin("^", a[0], Num(k - 1, fmt)))
        return Bin("⋅", a[1], Bin("^", a[0], Paren(Bin("−", a[1], Num(1, fmt)))))
    return rule


def partial_formula(e: Eqn, j: int, ops: Atoms, out: F, nt: Notation,
                    fmt: NumberFormat, explicit: bool = True) -> F:
    """∂out/∂(argument j): the textbook form if known (and ``explicit``), else ``∂vᵢ/∂vⱼ``."""
    rule = _partials(fmt).get(e.prim.name) if explicit else None
    if rule is not None and all(_scalar_atom(a) for a in e.inputs):
        f = rule(j, ops, out)
        if f is not None:
            return f
    arg = e.inputs[j]
    assert isinstance(arg, Var)
    return Raw(nt.partial(e.out, arg))


def _scalar_atom(a: Var | Literal) -> bool:
    return np.ndim(a.value) == 0
