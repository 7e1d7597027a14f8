"""A trace as a SymPy expression (SymPy is optional: ``pip install wengert[symbolic]``).

Each equation becomes the SymPy function of its primitive applied to its
operands' expressions, so the result is the closed form of the recorded path.
Scalar traces only: arrays have no faithful SymPy counterpart here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .trace import Trace, Var


def require_sympy() -> Any:
    try:
        import sympy
    except ImportError as err:  # pragma: no cover - exercised only without sympy
        raise ImportError("this needs SymPy: pip install sympy (or wengert[symbolic])") from err
    return sympy


def _rules(sp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "add": lambda a, b: a + b, "subtract": lambda a, b: a - b,
        "multiply": lambda a, b: a * b, "divide": lambda a, b: a / b,
        "power": lambda a, b: a ** b, "negative": lambda a: -a, "positive": lambda a: a,
        "square": lambda a: a ** 2, "reciprocal": lambda a: 1 / a,
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos,
        "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
        "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "arcsinh": sp.asinh,
        "arccosh": sp.acosh, "arctanh": sp.atanh, "absolute": sp.Abs,
        "log2": lambda a: sp.log(a, 2), "log10": lambda a: sp.log(a, 10),
        "log1p": lambda a: sp.log(1 + a), "expm1": lambda a: sp.exp(a) - 1,
        "exp2": lambda a: 2 ** a, "cbrt": lambda a: sp.cbrt(a),
        "maximum": sp.Max, "minimum": sp.Min, "arctan2": sp.atan2,
        "stop_gradient": lambda a: a, "sign": sp.sign, "floor": sp.floor,
    }


def to_sympy(trace: Trace, symbols: dict[str, Any] | None = None) -> Any:
    """The traced function as a SymPy expression in its inputs.

    Inputs become symbols named after their arguments (``x1``, ``x2``), unless
    ``symbols`` maps a label to a SymPy expression.  Several outputs give a tuple.
    """
    sp = require_sympy()
    rules = _rules(sp)
    env: dict[int, Any] = {}
    for v in trace.inputs:
        _check_scalar(v)
        label = str(v.label)
        env[id(v)] = (symbols or {}).get(label, sp.Symbol(label))
    for e in trace.eqns:
        args = [env[id(a)] if isinstance(a, Var) else _number(sp, a.value) for a in e.inputs]
        rule = rules.get(e.prim.name)
        if rule is None or e.prim.multiple_results or e.params:
            rule = sp.Function(e.prim.name)
        _check_scalar(e.out)
        env[id(e.out)] = rule(*args)
    outs = [env[id(o)] if isinstance(o, Var) else _number(sp, o.value) for o in trace.outputs]
    return outs[0] if len(outs) == 1 else tuple(outs)


def _check_scalar(v: Var) -> None:
    if v.shape != ():
        raise ValueError(f"to_sympy handles scalar traces only; {v!r} has shape {v.shape}")


def _number(sp: Any, x: Any) -> Any:
    if np.ndim(x) != 0:
        raise ValueError("to_sympy handles scalar traces only; a constant is an array")
    x = np.asarray(x).item()
    if isinstance(x, float) and x.is_integer():
        return sp.Integer(int(x))
    if isinstance(x, float):
        r = sp.Rational(x).limit_denominator(10**6)  # 0.5 -> 1/2, but keep 0.1234567 a Float
        return r if float(r) == x else sp.Float(x)
    return sp.sympify(x)


def tree_size(expr: Any) -> int:
    """The number of nodes of a SymPy expression tree (shared parts counted each time)."""
    sp = require_sympy()
    return sum(1 for _ in sp.preorder_traversal(expr))
