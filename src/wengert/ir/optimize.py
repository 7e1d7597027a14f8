"""Optimising a recorded trace: the passes ``jit`` runs before it generates code.

Every pass keeps the trace a list of primitive equations (so it can still be
replayed, and differentiated, by the primitives themselves):

* constant folding: an equation whose operands are all constants becomes a constant;
* algebra: each primitive's own ``simplify`` rule, declared beside it in its
  ``rules/`` family (``x*1``, ``x+0``, ``--x``, reshapes of reshapes, the sum of a
  broadcast ...; the contract is in :mod:`wengert.rules._simplify`);
* common-subexpression elimination: the same primitive on the same operands
  with the same parameters is computed once (in either order for a
  ``commutative`` one);
* dead-code elimination: only what an output or a guard reads is kept (in a
  derivative program this drops the primal values the derivative never reads).

A :class:`Guard` is a control-flow decision recorded while tracing (the Python
``bool``/``int``/``float`` a traced value was turned into); its variable is
kept alive, and a folded guard is checked once here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .trace import Atom, Eqn, Literal, Trace, Var


@dataclass
class Guard:
    """``kind(var) == expected`` held when the program was traced (``kind`` is ``bool``,
    ``int``, ``float``, ``operator.index`` ...)."""

    var: Atom
    kind: Callable[[Any], Any]
    expected: Any

    def holds(self, value: Any) -> bool:
        got = self.kind(value)
        return bool(type(got) is type(self.expected) and got == self.expected)

    def describe(self, name: str) -> str:
        kind = getattr(self.kind, "__name__", "value")
        return f"{kind}({name}) == {self.expected!r}"


@dataclass
class Stats:
    """How many equations each pass removed."""

    before: int = 0
    after: int = 0
    removed: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.removed[what] = self.removed.get(what, 0) + 1

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.removed.items()) if v)
        return (f"{self.before} equations -> {self.after} ({self.before - self.after} "
                f"removed{': ' + parts if parts else ''})")


def optimize(t: Trace, guards: list[Guard] | None = None) -> tuple[Trace, list[Guard], Stats]:
    """The optimised trace (new equations over the same variables), its guards and
    what was removed."""
    guards = list(guards or [])
    stats = Stats(before=len(t.eqns))
    # One forward pass sees each equation's operands already rewritten, so what the
    # algebra exposes is shared in the same pass; dead code goes last.
    eqns, sub = _forward(t.eqns, stats)
    outputs = [_resolve(a, sub) for a in t.outputs]
    guards = _resolve_guards(guards, sub)
    eqns = _dce(eqns, outputs, guards, stats)
    stats.after = len(eqns)
    out = Trace(t.inputs, eqns, outputs, t.in_tree, t.out_tree, t.name, t.arg_names)
    return out, guards, stats


def _resolve(a: Atom, sub: dict[int, Atom]) -> Atom:
    while isinstance(a, Var):
        b = sub.get(id(a))
        if b is None:
            return a
        a = b
    return a


def _resolve_guards(guards: list[Guard], sub: dict[int, Atom]) -> list[Guard]:
    out = []
    for g in guards:
        a = _resolve(g.var, sub)
        if isinstance(a, Literal):  # known at compile time: it held when traced
            continue
        out.append(Guard(a, g.kind, g.expected))
    return out


# -- the forward pass: folding, algebra, sharing ---------------------------------------
def _forward(eqns: list[Eqn], stats: Stats) -> tuple[list[Eqn], dict[int, Atom]]:
    sub: dict[int, Atom] = {}
    seen: dict[Any, Eqn] = {}
    defs: dict[int, Eqn] = {}  # id(var) -> its equation in this pass's output
    ctx = _Context(defs)
    out: list[Eqn] = []
    get = sub.get
    for e in eqns:
        # a substitute is itself resolved already: one look-up per operand
        ins = tuple([get(id(a), a) for a in e.inputs]) if sub else e.inputs
        if all(type(a) is Literal for a in ins) and _fold(e, ins, sub):
            stats.count("folded")
            continue
        rule = e.prim.simplify
        if rule is not None and not e.prim.multiple_results:
            new = rule(ins, e.params, e.out, ctx)
            if new is not None:
                if isinstance(new, (Var, Literal)):
                    sub[id(e.out)] = new
                    stats.count("algebra")
                    continue
                prim, ins, params = new
                e = Eqn(prim, ins, params, e.outputs, e.scope)
                stats.count("rewritten")
        key = _key(e, ins)
        if key is not None:
            prev = seen.get(key)
            if prev is not None:
                for v, w in zip(e.outputs, prev.outputs):
                    sub[id(v)] = w
                stats.count("cse")
                continue
        ne = Eqn(e.prim, ins, e.params, e.outputs, e.scope)
        if key is not None:
            seen[key] = ne
        for v in ne.outputs:
            defs[id(v)] = ne
        out.append(ne)
    return out, sub


def _fold(e: Eqn, ins: tuple, sub: dict[int, Atom]) -> bool:
    try:
        ans = e.prim.impl(*[a.value for a in ins], **e.params)
    except Exception:  # noqa: BLE001 - leave it to run (and raise) at call time
        return False
    answers = tuple(ans) if e.prim.multiple_results else (ans,)
    for v, x in zip(e.outputs, answers):
        sub[id(v)] = Literal(x)
    return True


def _key(e: Eqn, ins: tuple) -> Any:
    """What makes two equations compute the same (variables by identity: an int;
    constants by type and value: a tuple)."""
    try:
        parts = tuple([id(a) if type(a) is Var else _literal_key(a.value) for a in ins])
        if e.prim.commutative and len(parts) == 2 and not e.params:
            parts = tuple(sorted(parts, key=repr))  # y * x is x * y (value and derivative)
        return (id(e.prim), parts, _freeze(e.params) if e.params else ())
    except TypeError:
        return None


def _literal_key(x: Any) -> tuple:
    if isinstance(x, (bool, int, float, complex, str)) or x is None:
        return (type(x), x if not (isinstance(x, float) and math.isnan(x)) else "nan")
    if isinstance(x, np.generic):
        return (type(x), x.item()) if not np.isnan(x) else (type(x), "nan")
    return ("id", id(x))  # the same object (arrays): equal contents are not compared


def _freeze(x: Any) -> Any:
    if isinstance(x, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__,) + tuple(_freeze(v) for v in x)
    if isinstance(x, np.ndarray):
        return ("id", id(x))
    if isinstance(x, slice):
        return ("slice", x.start, x.stop, x.step)
    hash(x)
    return (type(x).__name__, x)


# -- dead code -------------------------------------------------------------------------
def _dce(eqns: list[Eqn], outputs: list[Atom], guards: list[Guard], stats: Stats) -> list[Eqn]:
    needed = {id(a) for a in outputs if isinstance(a, Var)}
    needed.update(id(g.var) for g in guards if isinstance(g.var, Var))
    keep = []
    dead = 0
    add = needed.add
    for e in reversed(eqns):
        outs = e.outputs
        if id(outs[0]) in needed or (len(outs) > 1 and any(id(v) in needed for v in outs)):
            keep.append(e)
            for a in e.inputs:
                if type(a) is Var:
                    add(id(a))
        else:
            dead += 1
    if dead:
        stats.removed["dead"] = stats.removed.get("dead", 0) + dead
    keep.reverse()
    return keep


# -- algebra: the primitives' own rules ask the pass through this ---------------------
class _Context:
    """What a ``simplify`` rule may ask (``rules._simplify.Context``)."""

    __slots__ = ("defs",)

    def __init__(self, defs: dict[int, Eqn]) -> None:
        self.defs = defs  # id(var) -> its equation in the pass's output so far

    @staticmethod
    def is_var(a: Atom) -> bool:
        return isinstance(a, Var)

    @staticmethod
    def value(a: Literal) -> Any:
        return a.value

    def made_by(self, a: Atom, prim: Any) -> Eqn | None:
        d = self.defs.get(id(a)) if isinstance(a, Var) else None
        return d if d is not None and d.prim is prim else None

    @staticmethod
    def literal(x: Any) -> Literal:
        return Literal(x)
