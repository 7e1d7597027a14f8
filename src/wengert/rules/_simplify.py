"""Helpers for the simplification rules the primitives declare (``Primitive.simplify``).

``jit``'s optimiser (:mod:`wengert.ir.optimize`) calls a primitive's rule on each of its
equations, its operands already rewritten::

    rule(ins, params, out, ctx) -> replacement or None

* ``ins``: the operands, each a variable (``.shape``, ``.dtype``) or a constant;
* ``params``: the equation's keyword parameters;
* ``out``: the equation's output variable (``.shape``, ``.dtype``);
* ``ctx``: what the optimiser knows (:class:`Context`): which operands are variables,
  a constant's value, the equation (``.prim``, ``.inputs``, ``.params``) that made a
  variable, and how to make a constant operand.

It returns an operand that stands for the output (``x * 1`` is ``x``), a triple
``(prim, ins, params)`` that computes it more cheaply (``reshape(reshape(x))`` is one
reshape), or ``None``.  A rule only ever replaces the output by something with the same
value, shape and dtype, so the derivative of the program is unchanged too.  Nothing here
imports :mod:`wengert.ir`: the rules stay below the passes that read them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np


class Context(Protocol):
    """What a simplification rule may ask the optimiser."""

    def is_var(self, a: Any) -> bool:
        """Whether the operand ``a`` is a variable (else a constant)."""

    def value(self, a: Any) -> Any:
        """The value of the constant operand ``a``."""

    def made_by(self, a: Any, prim: Any) -> Any:
        """The equation that made ``a`` if it is ``prim``'s, else None."""

    def literal(self, x: Any) -> Any:
        """A constant operand of value ``x``."""


Rule = Callable[[tuple, dict, Any, Context], Any]


def same(out: Any, a: Any, ctx: Context) -> bool:
    """Whether ``a`` can stand for ``out``: a variable of the same shape and dtype."""
    return ctx.is_var(a) and a.shape == out.shape and a.dtype == out.dtype


def is_scalar(a: Any, value: float, ctx: Context) -> bool:
    """Whether ``a`` is a constant whose every entry is ``value``."""
    if ctx.is_var(a):
        return False
    x = ctx.value(a)
    if type(x) in (int, float, np.float64, np.float32):
        return bool(x == value)
    return (type(x) is np.ndarray and x.dtype.kind in "iuf" and x.size <= 1 << 16
            and bool(np.all(x == value)))


def identity_unit(unit: float, sides: tuple[int, ...]) -> Rule:
    """``x ∘ unit`` (argument 0 in ``sides``) or ``unit ∘ x`` (argument 1) is ``x``."""
    def rule(ins: tuple, params: dict, out: Any, ctx: Context) -> Any:
        if len(ins) != 2 or params:
            return None
        for s in sides:
            if is_scalar(ins[1 - s], unit, ctx) and same(out, ins[s], ctx):
                return ins[s]
        return None
    return rule


def identity(ins: tuple, params: dict, out: Any, ctx: Context) -> Any:
    """``f(x)`` is ``x`` (``+x``)."""
    return ins[0] if not params and same(out, ins[0], ctx) else None


def involution(prim: Any) -> Rule:
    """``f(f(x))`` is ``x`` (``--x``)."""
    def rule(ins: tuple, params: dict, out: Any, ctx: Context) -> Any:
        d = ctx.made_by(ins[0], prim)
        if d is not None and not params and not d.params and same(out, d.inputs[0], ctx):
            return d.inputs[0]
        return None
    return rule
